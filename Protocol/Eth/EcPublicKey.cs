namespace LivepeerAspire.Protocol.Eth;

/// <summary>
/// An uncompressed secp256k1 public key (X‖Y, 64 bytes) with its address. Implementations keep their parsed
/// form here, so verifying many signatures against one cached key parses it once.
/// </summary>
public sealed class EcPublicKey
{
    public EcPublicKey(ReadOnlySpan<byte> xy)
    {
        if (xy.Length != 64)
        {
            throw new ArgumentException("expected the 64-byte X‖Y public key", nameof(xy));
        }

        Bytes = xy.ToArray();
        Address = EthAddress.FromPublicKey(xy);
    }

    public byte[] Bytes { get; }

    public EthAddress Address { get; }

    internal byte[]? NativeForm { get; set; }

    internal object? ManagedForm { get; set; }
}
