using System.Buffers.Binary;

namespace LivepeerAspire.LoadTests.Media;

/// <summary>Writes a 16-bit mono PCM WAV of a sine tone, the audio input of audio-to-text jobs.</summary>
public static class WavWriter
{
    public static byte[] Tone(double seconds, int sampleRate = 16000, double frequencyHz = 440)
    {
        if (seconds <= 0 || sampleRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), "duration and sample rate must be positive");
        }

        var samples = (int)Math.Round(seconds * sampleRate);
        var dataBytes = samples * 2;
        var wav = new byte[44 + dataBytes];
        var s = wav.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], 36 + dataBytes);
        "WAVE"u8.CopyTo(s[8..]);
        "fmt "u8.CopyTo(s[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(s[20..], 1); // PCM
        BinaryPrimitives.WriteInt16LittleEndian(s[22..], 1); // mono
        BinaryPrimitives.WriteInt32LittleEndian(s[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(s[28..], sampleRate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(s[32..], 2);
        BinaryPrimitives.WriteInt16LittleEndian(s[34..], 16);
        "data"u8.CopyTo(s[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[40..], dataBytes);
        for (var i = 0; i < samples; i++)
        {
            var v = (short)(Math.Sin(2 * Math.PI * frequencyHz * i / sampleRate) * 8000);
            BinaryPrimitives.WriteInt16LittleEndian(s[(44 + (2 * i))..], v);
        }

        return wav;
    }
}
