using System.Buffers.Binary;
using System.IO.Compression;

namespace LivepeerAspire.LoadTests.Media;

/// <summary>Writes a small 8-bit RGB PNG (a seeded gradient), enough for image inputs of load-test jobs.</summary>
public static class PngWriter
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static byte[] Gradient(int width, int height, int seed)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), "width and height must be positive");
        }

        var raw = new byte[height * (1 + (3 * width))];
        var i = 0;
        for (var y = 0; y < height; y++)
        {
            raw[i++] = 0; // filter type None
            for (var x = 0; x < width; x++)
            {
                raw[i++] = (byte)(x * 255 / Math.Max(1, width - 1));
                raw[i++] = (byte)(y * 255 / Math.Max(1, height - 1));
                raw[i++] = (byte)(seed * 37);
            }
        }

        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(raw);
        }

        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type RGB
        using var png = new MemoryStream();
        png.Write(Signature);
        WriteChunk(png, "IHDR"u8, ihdr);
        WriteChunk(png, "IDAT"u8, idat.ToArray());
        WriteChunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream s, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        s.Write(four);
        s.Write(type);
        s.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(four, Crc32.Compute(type, data));
        s.Write(four);
    }
}
