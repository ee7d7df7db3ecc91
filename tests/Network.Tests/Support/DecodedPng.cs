using System.Buffers.Binary;
using System.IO.Compression;

namespace LivepeerAspire.Network.Tests.Support;

/// <summary>
/// Fully decodes a PNG far enough to prove it is a real image: signature, IHDR, every chunk's CRC, and the
/// inflated scanlines having exactly the size the header promises.
/// </summary>
public sealed record DecodedPng(int Width, int Height)
{
    public static DecodedPng FromDataUrl(string url)
    {
        const string prefix = "data:image/png;base64,";
        url.ShouldStartWith(prefix);
        return Decode(Convert.FromBase64String(url[prefix.Length..]));
    }

    public static DecodedPng Decode(byte[] png)
    {
        png.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }).ShouldBeTrue("PNG signature");
        int width = 0, height = 0, bytesPerPixel = 0;
        using var idat = new MemoryStream();
        var offset = 8;
        var ended = false;
        while (!ended)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            var type = System.Text.Encoding.ASCII.GetString(png, offset + 4, 4);
            var data = png.AsSpan(offset + 8, length);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length));
            Crc32(png.AsSpan(offset + 4, 4 + length)).ShouldBe(crc, $"CRC of {type}");
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    data[8].ShouldBe((byte)8, "bit depth");
                    bytesPerPixel = data[9] switch { 0 => 1, 2 => 3, 4 => 2, 6 => 4, var c => throw new ShouldAssertException($"colour type {c}") };
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    ended = true;
                    break;
            }

            offset += 12 + length;
        }

        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress))
        {
            zlib.CopyTo(inflated);
        }

        inflated.Length.ShouldBe((long)height * (1 + width * bytesPerPixel), "scanline bytes");
        return new DecodedPng(width, height);
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            c ^= b;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
        }

        return c ^ 0xFFFFFFFFu;
    }
}
