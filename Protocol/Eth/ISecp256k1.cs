namespace LivepeerAspire.Protocol.Eth;

/// <summary>
/// secp256k1 as Ethereum uses it: 65-byte signatures R‖S‖V with V = 27/28, RFC 6979 nonces, low-S.
/// Two implementations give byte-identical results: libsecp256k1 through P/Invoke, and BouncyCastle.
/// </summary>
public interface ISecp256k1
{
    /// <summary>Which implementation this is, for the start-up log line.</summary>
    string Name { get; }

    /// <summary>The 64-byte X‖Y public key of a 32-byte private key.</summary>
    byte[] DerivePublicKey(ReadOnlySpan<byte> privateKey);

    /// <summary>Signs a 32-byte digest: 65 bytes R‖S‖V, deterministic (RFC 6979), S in the lower half, V = 27 + recovery id.</summary>
    byte[] Sign(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> privateKey);

    /// <summary>Recovers the signer's key (ecrecover). False for any malformed, high-S or V ∉ {27, 28} signature.</summary>
    bool TryRecover(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature, out EcPublicKey? publicKey);

    /// <summary>
    /// True exactly when <see cref="TryRecover"/> would give <paramref name="publicKey"/>: the same acceptance rule as
    /// go-livepeer's VerifySig and the contract's ECDSA.recover, including V, but without deriving an address.
    /// </summary>
    bool Verify(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature, EcPublicKey publicKey);
}
