using System.Buffers.Binary;

namespace LivepeerAspire.Orchestrator.Jobs;

/// <summary>Duration of a RIFF/WAVE file from its header (data size ÷ byte rate); other formats are not read.</summary>
public static class WavDuration
{
    public static bool TryRead(ReadOnlySpan<byte> d, out double seconds)
    {
        seconds = 0;
        if (d.Length < 12 || !d[..4].SequenceEqual("RIFF"u8) || !d.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            return false;
        }

        uint byteRate = 0;
        var i = 12;
        while (i + 8 <= d.Length)
        {
            var id = d.Slice(i, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(d[(i + 4)..]);
            if (id.SequenceEqual("fmt "u8) && i + 16 <= d.Length)
            {
                byteRate = BinaryPrimitives.ReadUInt32LittleEndian(d[(i + 16)..]);
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (byteRate == 0)
                {
                    return false;
                }

                var available = Math.Min(size, (uint)(d.Length - i - 8));
                seconds = (double)available / byteRate;
                return true;
            }

            i += 8 + (int)Math.Min(size + (size & 1), int.MaxValue - 16);
        }

        return false;
    }
}
