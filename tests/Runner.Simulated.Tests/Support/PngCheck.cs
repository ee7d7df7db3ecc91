using System.Buffers.Binary;
using System.IO.Compression;

namespace LivepeerAspire.Runner.Simulated.Tests.Support;

/// <summary>An independent PNG check: signature, chunk CRCs, IHDR, and that IDAT inflates to exactly the scanlines.</summary>
internal static class PngCheck
{
    public static (int Width, int Height) Verify(byte[] png)
    {
        png[..8].ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        var offset = 8;
        int width = 0, height = 0;
        using var idat = new MemoryStream();
        var sawEnd = false;
        while (offset < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            var type = System.Text.Encoding.ASCII.GetString(png, offset + 4, 4);
            var data = png.AsSpan(offset + 8, length);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length));
            crc.ShouldBe(Crc32(png.AsSpan(offset + 4, 4 + length)), $"CRC of {type}");
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    data[8].ShouldBe((byte)8);
                    data[9].ShouldBe((byte)2);
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
            }

            offset += 12 + length;
        }

        sawEnd.ShouldBeTrue();
        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress))
        {
            zlib.CopyTo(inflated);
        }

        var raw = inflated.ToArray();
        raw.Length.ShouldBe(height * (1 + 3 * width));
        for (var y = 0; y < height; y++)
        {
            raw[y * (1 + 3 * width)].ShouldBeLessThanOrEqualTo((byte)4, "filter type");
        }

        return (width, height);
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
