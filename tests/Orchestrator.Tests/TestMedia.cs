using System.Buffers.Binary;

namespace LivepeerAspire.Orchestrator.Tests;

/// <summary>Tiny media files built by hand: a PNG header and a silent PCM WAV.</summary>
public static class TestMedia
{
    /// <summary>A complete PNG of the given size (the media reader refuses truncated files).</summary>
    public static byte[] Png(int width, int height) => LivepeerAspire.Protocol.Media.SyntheticPng.Encode(width, height, 1);

    public static byte[] Wav(int seconds, int sampleRate)
    {
        var dataSize = seconds * sampleRate * 2;
        var bytes = new byte[44 + dataSize];
        "RIFF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), 36 + dataSize);
        "WAVE"u8.CopyTo(bytes.AsSpan(8));
        "fmt "u8.CopyTo(bytes.AsSpan(12));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), 16);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(20), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(22), 1);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(24), sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(28), sampleRate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(32), 2);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(34), 16);
        "data"u8.CopyTo(bytes.AsSpan(36));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(40), dataSize);
        return bytes;
    }
}
