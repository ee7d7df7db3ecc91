namespace LivepeerAspire.Protocol.Eth;

/// <summary>
/// The shape checks every signature must pass before any curve arithmetic, as go-ethereum's ValidateSignatureValues
/// (homestead) and OpenZeppelin's ECDSA.recover apply them: 65 bytes, V 27/28, 0 &lt; r &lt; n, 0 &lt; s ≤ n/2.
/// </summary>
public static class SignatureRules
{
    public const int Length = 65;

    private static readonly byte[] Order = Convert.FromHexString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141");
    private static readonly byte[] HalfOrder = Convert.FromHexString("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0");

    public static ReadOnlySpan<byte> CurveOrder => Order;

    public static bool IsWellFormed(ReadOnlySpan<byte> signature)
    {
        if (signature.Length != Length || (signature[64] != 27 && signature[64] != 28))
        {
            return false;
        }

        var r = signature[..32];
        var s = signature[32..64];
        return r.IndexOfAnyExcept((byte)0) >= 0
            && r.SequenceCompareTo(Order) < 0
            && s.IndexOfAnyExcept((byte)0) >= 0
            && s.SequenceCompareTo(HalfOrder) <= 0;
    }

    public static bool IsValidPrivateKey(ReadOnlySpan<byte> key) =>
        key.Length == 32 && key.IndexOfAnyExcept((byte)0) >= 0 && key.SequenceCompareTo(Order) < 0;
}
