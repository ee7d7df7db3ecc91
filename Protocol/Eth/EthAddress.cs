using System.Diagnostics.CodeAnalysis;
using Nethereum.Util;

namespace LivepeerAspire.Protocol.Eth;

/// <summary>A 20-byte Ethereum address. <see cref="ToString"/> gives the EIP-55 checksummed form, as go-ethereum's Hex().</summary>
public readonly struct EthAddress : IEquatable<EthAddress>
{
    public const int Size = 20;

    private readonly byte[]? bytes;

    public EthAddress(ReadOnlySpan<byte> value)
    {
        if (value.Length != Size)
        {
            throw new ArgumentException($"an Ethereum address is {Size} bytes, got {value.Length}", nameof(value));
        }

        bytes = value.ToArray();
    }

    public static readonly EthAddress Zero = new(new byte[Size]);

    public ReadOnlySpan<byte> Span => bytes ?? new byte[Size];

    public byte[] ToArray() => Span.ToArray();

    public bool IsZero => Span.IndexOfAnyExcept((byte)0) < 0;

    /// <summary>The address of an uncompressed public key given as the 64 bytes X‖Y (no 0x04 prefix).</summary>
    public static EthAddress FromPublicKey(ReadOnlySpan<byte> publicKey64)
    {
        if (publicKey64.Length != 64)
        {
            throw new ArgumentException("expected the 64-byte X‖Y public key", nameof(publicKey64));
        }

        Span<byte> hash = stackalloc byte[32];
        Keccak256.Hash(publicKey64, hash);
        return new EthAddress(hash[12..]);
    }

    /// <summary>Accepts 40 hex digits with or without 0x, in any case (the checksum is not enforced; see <see cref="TryParseChecksummed"/>).</summary>
    public static bool TryParse(string? text, out EthAddress address)
    {
        address = Zero;
        if (text is null)
        {
            return false;
        }

        var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (hex.Length != 2 * Size)
        {
            return false;
        }

        try
        {
            address = new EthAddress(Convert.FromHexString(hex));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Like <see cref="TryParse"/>, but a mixed-case address must carry a valid EIP-55 checksum.</summary>
    public static bool TryParseChecksummed(string? text, out EthAddress address)
    {
        if (!TryParse(text, out address))
        {
            return false;
        }

        var hex = text!.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        var allLower = hex.ToLowerInvariant() == hex;
        var allUpper = hex.ToUpperInvariant() == hex;
        return allLower || allUpper || AddressUtil.Current.IsChecksumAddress("0x" + hex);
    }

    public static EthAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not a 20-byte hex Ethereum address");

    /// <summary>EIP-55 mixed-case checksum form (Nethereum's AddressUtil).</summary>
    public override string ToString() => AddressUtil.Current.ConvertToChecksumAddress(Convert.ToHexStringLower(Span));

    public string ToLowerHex() => "0x" + Convert.ToHexStringLower(Span);

    public bool Equals(EthAddress other) => Span.SequenceEqual(other.Span);

    public override bool Equals([NotNullWhen(true)] object? obj) => obj is EthAddress other && Equals(other);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(Span);
        return h.ToHashCode();
    }

    public static bool operator ==(EthAddress a, EthAddress b) => a.Equals(b);

    public static bool operator !=(EthAddress a, EthAddress b) => !a.Equals(b);
}
