using System.Buffers.Binary;

namespace LivepeerAspire.Protocol.Media;

public enum ImageFormat
{
    Png,
    Jpeg,
    Gif,
    Webp,
}

/// <summary>
/// Reads an uploaded image's format and size from its header, the way go-livepeer's image.DecodeConfig does
/// before it prices image-to-image, upscale, segment-anything-2 and image-to-text (input height × width).
/// </summary>
public readonly record struct ImageHeader(ImageFormat Format, int Width, int Height)
{
    public long Pixels => (long)Width * Height;

    /// <summary>
    /// Reads and checks an uploaded image: a known format, a size within <paramref name="maxSide"/> per side, and a
    /// complete file (PNG up to its IEND chunk, JPEG up to its end-of-image marker, GIF up to its trailer, WebP as
    /// long as its RIFF header says), so a truncated upload is refused before anyone is paid for it.
    /// </summary>
    public static ImageHeader Read(string part, ReadOnlySpan<byte> data, int maxSide)
    {
        if (data.Length == 0)
        {
            throw new MediaException(part, "the file is empty");
        }

        if (!TryRead(data, out var header))
        {
            throw new MediaException(part, "not a PNG, JPEG, GIF or WebP image");
        }

        if (header.Width > maxSide || header.Height > maxSide)
        {
            throw new MediaException(part, $"{header.Width}×{header.Height} px is over the limit of {maxSide} px per side");
        }

        if (Incomplete(header.Format, data) is { } reason)
        {
            throw new MediaException(part, reason);
        }

        return header;
    }

    private static string? Incomplete(ImageFormat format, ReadOnlySpan<byte> d)
    {
        switch (format)
        {
            case ImageFormat.Png:
                var offset = 8;
                while (offset + 12 <= d.Length)
                {
                    var length = BinaryPrimitives.ReadUInt32BigEndian(d[offset..]);
                    if (length > int.MaxValue || offset + 12L + length > d.Length)
                    {
                        return "truncated PNG: a chunk runs past the end of the file";
                    }

                    if (d.Slice(offset + 4, 4).SequenceEqual("IEND"u8))
                    {
                        return null;
                    }

                    offset += 12 + (int)length;
                }

                return "truncated PNG: no IEND chunk";
            case ImageFormat.Jpeg:
                var end = d.TrimEnd((byte)0);
                return end.Length >= 2 && end[^2] == 0xFF && end[^1] == 0xD9 ? null : "truncated JPEG: no end-of-image marker";
            case ImageFormat.Gif:
                return d[^1] == 0x3B ? null : "truncated GIF: no trailer";
            default:
                var riff = BinaryPrimitives.ReadUInt32LittleEndian(d[4..]);
                return riff + 8L <= d.Length ? null : $"truncated WebP: the header declares {riff + 8L} bytes, the file has {d.Length}";
        }
    }

    public static bool TryRead(ReadOnlySpan<byte> data, out ImageHeader header)
    {
        header = default;
        return TryReadPng(data, out header)
            || TryReadJpeg(data, out header)
            || TryReadGif(data, out header)
            || TryReadWebp(data, out header);
    }

    private static bool TryReadPng(ReadOnlySpan<byte> d, out ImageHeader header)
    {
        header = default;
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (d.Length < 24 || !d[..8].SequenceEqual(signature) || !d.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            return false;
        }

        return Valid(ImageFormat.Png, BinaryPrimitives.ReadInt32BigEndian(d[16..]), BinaryPrimitives.ReadInt32BigEndian(d[20..]), out header);
    }

    private static bool TryReadJpeg(ReadOnlySpan<byte> d, out ImageHeader header)
    {
        header = default;
        if (d.Length < 4 || d[0] != 0xFF || d[1] != 0xD8)
        {
            return false;
        }

        var i = 2;
        while (i + 4 <= d.Length)
        {
            if (d[i] != 0xFF)
            {
                return false;
            }

            var marker = d[i + 1];
            if (marker == 0xFF)
            {
                i++;
                continue;
            }

            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                i += 2;
                continue;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(d[(i + 2)..]);
            var isStartOfFrame = marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
            if (isStartOfFrame)
            {
                if (i + 9 > d.Length)
                {
                    return false;
                }

                int height = BinaryPrimitives.ReadUInt16BigEndian(d[(i + 5)..]);
                int width = BinaryPrimitives.ReadUInt16BigEndian(d[(i + 7)..]);
                return Valid(ImageFormat.Jpeg, width, height, out header);
            }

            if (length < 2)
            {
                return false;
            }

            i += 2 + length;
        }

        return false;
    }

    private static bool TryReadGif(ReadOnlySpan<byte> d, out ImageHeader header)
    {
        header = default;
        if (d.Length < 10 || !(d[..6].SequenceEqual("GIF87a"u8) || d[..6].SequenceEqual("GIF89a"u8)))
        {
            return false;
        }

        return Valid(ImageFormat.Gif, BinaryPrimitives.ReadUInt16LittleEndian(d[6..]), BinaryPrimitives.ReadUInt16LittleEndian(d[8..]), out header);
    }

    private static bool TryReadWebp(ReadOnlySpan<byte> d, out ImageHeader header)
    {
        header = default;
        if (d.Length < 30 || !d[..4].SequenceEqual("RIFF"u8) || !d.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return false;
        }

        var chunk = d.Slice(12, 4);
        if (chunk.SequenceEqual("VP8X"u8))
        {
            var w = 1 + (d[24] | d[25] << 8 | d[26] << 16);
            var h = 1 + (d[27] | d[28] << 8 | d[29] << 16);
            return Valid(ImageFormat.Webp, w, h, out header);
        }

        if (chunk.SequenceEqual("VP8 "u8))
        {
            return Valid(ImageFormat.Webp, BinaryPrimitives.ReadUInt16LittleEndian(d[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(d[28..]) & 0x3FFF, out header);
        }

        if (chunk.SequenceEqual("VP8L"u8) && d[20] == 0x2F)
        {
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(d[21..]);
            return Valid(ImageFormat.Webp, (int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1, out header);
        }

        return false;
    }

    private static bool Valid(ImageFormat format, int width, int height, out ImageHeader header)
    {
        header = new ImageHeader(format, width, height);
        return width > 0 && height > 0;
    }
}
