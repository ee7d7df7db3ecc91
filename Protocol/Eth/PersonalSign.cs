using System.Text;

namespace LivepeerAspire.Protocol.Eth;

/// <summary>EIP-191 version 0x45 ("personal_sign"), as go-ethereum's accounts.TextHash.</summary>
public static class PersonalSign
{
    public static byte[] Hash(ReadOnlySpan<byte> message)
    {
        // "\x19E" would be parsed by C# as one escape; \u0019 keeps the byte 0x19 and the letter E apart.
        var prefix = Encoding.ASCII.GetBytes($"\u0019Ethereum Signed Message:\n{message.Length}");
        var data = new byte[prefix.Length + message.Length];
        prefix.CopyTo(data, 0);
        message.CopyTo(data.AsSpan(prefix.Length));
        return Keccak256.Hash(data);
    }
}
