using System.Security.Cryptography;

namespace LivepeerAspire.Protocol.Payments;

/// <summary>The orchestrator's 32-byte HMAC key for recipientRand, drawn once per process (params from before a restart stop validating).</summary>
public sealed class RecipientSecret
{
    public RecipientSecret(ReadOnlySpan<byte> key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("the recipient secret is 32 bytes", nameof(key));
        }

        Key = key.ToArray();
    }

    internal byte[] Key { get; }

    public static RecipientSecret Generate() => new(RandomNumberGenerator.GetBytes(32));
}
