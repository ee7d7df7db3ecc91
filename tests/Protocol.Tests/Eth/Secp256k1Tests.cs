using LivepeerAspire.Protocol.Eth;

namespace LivepeerAspire.Protocol.Tests.Eth;

public sealed class Secp256k1Tests
{
    private static readonly NativeSecp256k1 Native =
        Secp256k1.Native ?? throw new InvalidOperationException("libsecp256k1.so.1 did not load: apt-get install libsecp256k1-1");

    private static readonly ManagedSecp256k1 Managed = Secp256k1.Managed;

    [Fact]
    public void Native_and_managed_are_byte_identical()
    {
        var random = new Random(10);
        for (var i = 0; i < 200; i++)
        {
            var key = EthPrimitivesVectorTests.RandomKey(random);
            var digest = new byte[32];
            random.NextBytes(digest);

            Managed.DerivePublicKey(key).ShouldBe(Native.DerivePublicKey(key));
            var signature = Native.Sign(digest, key);
            Managed.Sign(digest, key).ShouldBe(signature, $"iteration {i}");

            Native.TryRecover(digest, signature, out var fromNative).ShouldBeTrue();
            Managed.TryRecover(digest, signature, out var fromManaged).ShouldBeTrue();
            fromManaged!.Bytes.ShouldBe(fromNative!.Bytes);
            fromNative.Bytes.ShouldBe(Native.DerivePublicKey(key));
        }
    }

    [Fact]
    public void Verify_with_a_known_key_accepts_exactly_what_recovery_accepts()
    {
        var random = new Random(11);
        var key = EthPrimitivesVectorTests.RandomKey(random);
        var other = EthPrimitivesVectorTests.RandomKey(random);
        var publicKey = new EcPublicKey(Native.DerivePublicKey(key));
        var otherKey = new EcPublicKey(Native.DerivePublicKey(other));
        for (var i = 0; i < 50; i++)
        {
            var digest = new byte[32];
            random.NextBytes(digest);
            var signature = Native.Sign(digest, key);
            foreach (ISecp256k1 crypto in new ISecp256k1[] { Native, Managed })
            {
                crypto.Verify(digest, signature, publicKey).ShouldBeTrue(crypto.Name);
                crypto.Verify(digest, signature, otherKey).ShouldBeFalse(crypto.Name);

                var wrongV = (byte[])signature.Clone();
                wrongV[64] ^= 27 ^ 28;
                crypto.Verify(digest, wrongV, publicKey).ShouldBeFalse($"{crypto.Name}: flipped V must not verify, the contract would recover another address");

                var highS = HighS(signature);
                crypto.Verify(digest, highS, publicKey).ShouldBeFalse($"{crypto.Name}: high S is malleable and refused by go-livepeer");
                crypto.TryRecover(digest, highS, out _).ShouldBeFalse();

                var otherDigest = (byte[])digest.Clone();
                otherDigest[0] ^= 1;
                crypto.Verify(otherDigest, signature, publicKey).ShouldBeFalse(crypto.Name);
                crypto.Verify(digest, signature[..64], publicKey).ShouldBeFalse(crypto.Name);
            }

            Native.VerifyIgnoringRecoveryId(digest, signature, publicKey).ShouldBeTrue();
        }
    }

    [Fact]
    public void Malformed_signatures_and_keys_are_refused_without_exceptions()
    {
        var digest = new byte[32];
        var zero = new byte[65];
        zero[64] = 27;
        foreach (ISecp256k1 crypto in new ISecp256k1[] { Native, Managed })
        {
            crypto.TryRecover(digest, zero, out _).ShouldBeFalse();
            crypto.TryRecover(digest, new byte[10], out _).ShouldBeFalse();
            crypto.TryRecover(new byte[31], zero, out _).ShouldBeFalse();
            var rNotOnCurve = Enumerable.Repeat((byte)0xFF, 65).ToArray();
            rNotOnCurve[0] = 0x00;
            rNotOnCurve[32] = 0x01;
            rNotOnCurve[64] = 27;
            Should.NotThrow(() => crypto.TryRecover(digest, rNotOnCurve, out _));
            Should.Throw<ArgumentException>(() => crypto.Sign(digest, new byte[32]));
            Should.Throw<ArgumentException>(() => crypto.Sign(digest, SignatureRules.CurveOrder.ToArray()));
        }
    }

    [Fact]
    public void Sender_key_cache_recovers_once_then_verifies_against_the_cached_key()
    {
        var random = new Random(12);
        var account = new EthAccount(EthPrimitivesVectorTests.RandomKey(random), Native);
        var impostor = new EthAccount(EthPrimitivesVectorTests.RandomKey(random), Native);
        var cache = new SenderKeyCache(Native);

        var digest = new byte[32];
        random.NextBytes(digest);
        cache.Verify(account.Address, digest, impostor.SignDigest(digest)).ShouldBeFalse();
        cache.Count.ShouldBe(0, "a failed recovery must not poison the cache");

        cache.Verify(account.Address, digest, account.SignDigest(digest)).ShouldBeTrue();
        cache.Recoveries.ShouldBe(2);
        for (var i = 0; i < 5; i++)
        {
            random.NextBytes(digest);
            cache.Verify(account.Address, digest, account.SignDigest(digest)).ShouldBeTrue();
            cache.Verify(account.Address, digest, impostor.SignDigest(digest)).ShouldBeFalse();
        }

        cache.Recoveries.ShouldBe(2);
        cache.CachedVerifications.ShouldBe(10);
    }

    [Fact]
    public void Start_up_choice_is_native_here_and_says_so()
    {
        Secp256k1.Default.ShouldBeOfType<NativeSecp256k1>();
        Secp256k1.Description.ShouldContain("libsecp256k1");
    }

    private static byte[] HighS(byte[] signature)
    {
        var n = new System.Numerics.BigInteger(SignatureRules.CurveOrder, isUnsigned: true, isBigEndian: true);
        var s = new System.Numerics.BigInteger(signature.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        var high = (n - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        var result = (byte[])signature.Clone();
        Array.Clear(result, 32, 32);
        high.CopyTo(result, 64 - high.Length);
        result[64] ^= 27 ^ 28;
        return result;
    }
}
