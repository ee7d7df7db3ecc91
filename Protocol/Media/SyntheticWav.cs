using System.Buffers.Binary;

namespace LivepeerAspire.Protocol.Media;

/// <summary>A tiny WAV (PCM, 8 kHz, 8-bit mono sine tone) for text-to-speech answers.</summary>
public static class SyntheticWav
{
    public const int SampleRate = 8000;

    public static byte[] Tone(double seconds, double frequency = 220)
    {
        var samples = (int)Math.Clamp(seconds * SampleRate, 1, SampleRate * 10);
        var bytes = new byte[44 + samples];
        var s = bytes.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], 36 + samples);
        "WAVE"u8.CopyTo(s[8..]);
        "fmt "u8.CopyTo(s[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(s[20..], 1); // PCM
        BinaryPrimitives.WriteInt16LittleEndian(s[22..], 1); // mono
        BinaryPrimitives.WriteInt32LittleEndian(s[24..], SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(s[28..], SampleRate); // byte rate
        BinaryPrimitives.WriteInt16LittleEndian(s[32..], 1); // block align
        BinaryPrimitives.WriteInt16LittleEndian(s[34..], 8); // bits per sample
        "data"u8.CopyTo(s[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[40..], samples);
        for (var i = 0; i < samples; i++)
        {
            bytes[44 + i] = (byte)(128 + 60 * Math.Sin(2 * Math.PI * frequency * i / SampleRate));
        }

        return bytes;
    }

    public static string DataUrl(byte[] wav) => "data:audio/wav;base64," + Convert.ToBase64String(wav);
}
