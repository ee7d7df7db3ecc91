using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;

namespace LivepeerAspire.Protocol.Eth;

/// <summary>
/// secp256k1 in managed code (Portable.BouncyCastle's curve arithmetic), for machines without libsecp256k1.
/// Nonces are RFC 6979 (HMAC-SHA256) and S is normalised to the lower half, so signatures equal libsecp256k1's.
/// </summary>
public sealed class ManagedSecp256k1 : ISecp256k1
{
    private static readonly X9ECParameters Curve = CustomNamedCurves.GetByName("secp256k1");
    private static readonly BigInteger N = Curve.N;
    private static readonly BigInteger HalfN = N.ShiftRight(1);
    private static readonly ECPoint G = Curve.G;
    private static readonly FixedPointCombMultiplier BaseMultiplier = new();

    public string Name => "BouncyCastle (managed)";

    public byte[] DerivePublicKey(ReadOnlySpan<byte> privateKey)
    {
        if (!SignatureRules.IsValidPrivateKey(privateKey))
        {
            throw new ArgumentException("not a valid secp256k1 private key", nameof(privateKey));
        }

        var q = BaseMultiplier.Multiply(G, new BigInteger(1, privateKey.ToArray())).Normalize();
        return Encode(q);
    }

    public byte[] Sign(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> privateKey)
    {
        if (digest.Length != 32)
        {
            throw new ArgumentException("a signed digest is 32 bytes", nameof(digest));
        }

        if (!SignatureRules.IsValidPrivateKey(privateKey))
        {
            throw new ArgumentException("not a valid secp256k1 private key", nameof(privateKey));
        }

        var d = new BigInteger(1, privateKey.ToArray());
        var message = digest.ToArray();
        var e = new BigInteger(1, message);
        var kCalculator = new HMacDsaKCalculator(new Sha256Digest());
        kCalculator.Init(N, d, message);
        while (true)
        {
            var k = kCalculator.NextK();
            var point = BaseMultiplier.Multiply(G, k).Normalize();
            var x = point.AffineXCoord.ToBigInteger();
            var r = x.Mod(N);
            if (r.SignValue == 0)
            {
                continue;
            }

            var s = k.ModInverse(N).Multiply(e.Add(d.Multiply(r))).Mod(N);
            if (s.SignValue == 0)
            {
                continue;
            }

            var recoveryId = point.AffineYCoord.ToBigInteger().TestBit(0) ? 1 : 0;
            if (s.CompareTo(HalfN) > 0)
            {
                s = N.Subtract(s);
                recoveryId ^= 1;
            }

            var signature = new byte[65];
            r.ToByteArrayUnsigned().CopyTo(signature, 32 - r.ToByteArrayUnsigned().Length);
            s.ToByteArrayUnsigned().CopyTo(signature, 64 - s.ToByteArrayUnsigned().Length);
            signature[64] = (byte)(27 + recoveryId);
            return signature;
        }
    }

    public bool TryRecover(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature, out EcPublicKey? publicKey)
    {
        publicKey = null;
        if (digest.Length != 32 || !SignatureRules.IsWellFormed(signature))
        {
            return false;
        }

        var r = new BigInteger(1, signature[..32].ToArray());
        var s = new BigInteger(1, signature[32..64].ToArray());
        var e = new BigInteger(1, digest.ToArray());
        var compressed = new byte[33];
        compressed[0] = (byte)(signature[64] == 28 ? 0x03 : 0x02);
        signature[..32].CopyTo(compressed.AsSpan(1));
        ECPoint rPoint;
        try
        {
            rPoint = Curve.Curve.DecodePoint(compressed);
        }
        catch (ArgumentException)
        {
            return false; // r is not the x coordinate of any curve point
        }

        var rInverse = r.ModInverse(N);
        var q = ECAlgorithms.SumOfTwoMultiplies(rPoint, rInverse.Multiply(s).Mod(N), G, rInverse.Multiply(e).Negate().Mod(N)).Normalize();
        if (q.IsInfinity)
        {
            return false;
        }

        publicKey = new EcPublicKey(Encode(q)) { ManagedForm = q };
        return true;
    }

    public bool Verify(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature, EcPublicKey publicKey)
    {
        if (digest.Length != 32 || !SignatureRules.IsWellFormed(signature))
        {
            return false;
        }

        var q = PointOf(publicKey);
        var r = new BigInteger(1, signature[..32].ToArray());
        var s = new BigInteger(1, signature[32..64].ToArray());
        var e = new BigInteger(1, digest.ToArray());
        var w = s.ModInverse(N);
        var point = ECAlgorithms.SumOfTwoMultiplies(G, e.Multiply(w).Mod(N), q, r.Multiply(w).Mod(N)).Normalize();
        if (point.IsInfinity || !point.AffineXCoord.ToBigInteger().Mod(N).Equals(r))
        {
            return false;
        }

        // Recovery from V gives this key only when R's y parity matches V (x ≥ n never happens in practice, and
        // such an R would need V 29/30, which the shape check already refuses).
        return point.AffineXCoord.ToBigInteger().CompareTo(N) < 0
            && point.AffineYCoord.ToBigInteger().TestBit(0) == (signature[64] == 28);
    }

    private static ECPoint PointOf(EcPublicKey key)
    {
        if (key.ManagedForm is ECPoint cached)
        {
            return cached;
        }

        var encoded = new byte[65];
        encoded[0] = 0x04;
        key.Bytes.CopyTo(encoded, 1);
        var point = Curve.Curve.DecodePoint(encoded).Normalize();
        key.ManagedForm = point;
        return point;
    }

    private static byte[] Encode(ECPoint q)
    {
        var encoded = q.GetEncoded(false);
        return encoded[1..];
    }
}
