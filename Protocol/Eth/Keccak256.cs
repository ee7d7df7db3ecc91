using Org.BouncyCastle.Crypto.Digests;

namespace LivepeerAspire.Protocol.Eth;

/// <summary>Ethereum's Keccak-256 (the original Keccak padding, not NIST SHA3-256).</summary>
public static class Keccak256
{
    public const int Size = 32;

    [ThreadStatic]
    private static KeccakDigest? digest;

    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var d = digest ??= new KeccakDigest(256);
        d.Reset();
        var input = data.ToArray();
        d.BlockUpdate(input, 0, input.Length);
        var output = new byte[Size];
        d.DoFinal(output, 0);
        return output;
    }

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> output)
    {
        var d = digest ??= new KeccakDigest(256);
        d.Reset();
        var input = data.ToArray();
        d.BlockUpdate(input, 0, input.Length);
        var result = new byte[Size];
        d.DoFinal(result, 0);
        result.CopyTo(output);
    }

    /// <summary>Hash of several parts, as if concatenated (Solidity's abi.encodePacked then keccak256).</summary>
    public static byte[] Hash(params byte[][] parts)
    {
        var d = digest ??= new KeccakDigest(256);
        d.Reset();
        foreach (var part in parts)
        {
            d.BlockUpdate(part, 0, part.Length);
        }

        var output = new byte[Size];
        d.DoFinal(output, 0);
        return output;
    }
}
