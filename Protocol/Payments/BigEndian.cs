using System.Numerics;

namespace LivepeerAspire.Protocol.Payments;

/// <summary>Go big.Int byte conventions: minimal unsigned big-endian (zero is empty), and 32-byte uint256 words.</summary>
public static class BigEndian
{
    public static byte[] Minimal(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "negative values have no unsigned encoding");
        }

        return value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true);
    }

    public static byte[] Word(BigInteger value)
    {
        var minimal = Minimal(value);
        if (minimal.Length > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "value does not fit in uint256");
        }

        var word = new byte[32];
        minimal.CopyTo(word, 32 - minimal.Length);
        return word;
    }

    public static void WriteWord(BigInteger value, Span<byte> destination)
    {
        destination[..32].Clear();
        if (value.IsZero)
        {
            return;
        }

        var length = value.GetByteCount(isUnsigned: true);
        if (length > 32 || value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "value does not fit in uint256");
        }

        value.TryWriteBytes(destination.Slice(32 - length, length), out _, isUnsigned: true, isBigEndian: true);
    }

    public static BigInteger ToBigInteger(ReadOnlySpan<byte> bytes) =>
        bytes.IsEmpty ? BigInteger.Zero : new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
}
