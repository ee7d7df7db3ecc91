using System.Buffers.Binary;
using System.IO.Compression;

namespace LivepeerAspire.Protocol.Media;

/// <summary>
/// A minimal PNG writer (8-bit RGB, zlib via <see cref="ZLibStream"/>). The picture is a colour gradient
/// band pattern: most rows use the "Up" filter with all-zero data, so even 1024×576 frames stay a few KB.
/// </summary>
public static class SyntheticPng
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    public static byte[] Encode(int width, int height, long seed, int frame = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        using var output = new MemoryStream();
        output.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);

        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type: truecolour
        WriteChunk(output, "IHDR"u8, ihdr);

        using (var idat = new MemoryStream())
        {
            using (var zlib = new ZLibStream(idat, CompressionLevel.Fastest, leaveOpen: true))
            {
                var row = new byte[1 + width * 3];
                var zero = new byte[1 + width * 3];
                zero[0] = 2; // filter Up: every byte equals the one above
                for (var y = 0; y < height; y++)
                {
                    if (y % 64 == 0)
                    {
                        FillBandRow(row, width, seed, frame, y);
                        zlib.Write(row);
                    }
                    else
                    {
                        zlib.Write(zero);
                    }
                }
            }

            WriteChunk(output, "IDAT"u8, idat.GetBuffer().AsSpan(0, (int)idat.Length));
        }

        WriteChunk(output, "IEND"u8, []);
        return output.ToArray();
    }

    public static string DataUrl(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);

    /// <summary>A row with filter "Sub": a start colour, then a constant per-pixel step (a horizontal gradient).</summary>
    private static void FillBandRow(byte[] row, int width, long seed, int frame, int y)
    {
        var mix = (ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(y / 64) * 0xBF58476D1CE4E5B9UL;
        row[0] = 1;
        row[1] = (byte)(mix >> 8);
        row[2] = (byte)(mix >> 16);
        row[3] = (byte)((mix >> 24) + (ulong)(frame * 9));
        var dr = (byte)(1 + (mix >> 32) % 3);
        var dg = (byte)((mix >> 40) % 2);
        var db = (byte)(1 + (mix >> 48) % 2);
        for (var x = 1; x < width; x++)
        {
            row[1 + x * 3] = dr;
            row[2 + x * 3] = dg;
            row[3 + x * 3] = db;
        }
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        output.Write(type);
        output.Write(data);
        var crc = Crc(Crc(0xFFFFFFFFu, type), data) ^ 0xFFFFFFFFu;
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc);
        output.Write(crcBytes);
    }

    private static uint Crc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
