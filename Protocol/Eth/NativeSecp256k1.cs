using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace LivepeerAspire.Protocol.Eth;

/// <summary>libsecp256k1 (Debian's libsecp256k1-1, built with the recovery module), the library go-ethereum uses.</summary>
public sealed class NativeSecp256k1 : ISecp256k1
{
    private const string Library = "libsecp256k1.so.1";
    private const uint ContextSignAndVerify = 0x0201 | 0x0101;
    private const uint Uncompressed = 0x0002;

    // The context is only read after creation, which libsecp256k1 documents as thread-safe.
    private readonly IntPtr context;

    private NativeSecp256k1(IntPtr context) => this.context = context;

    public string Name => "libsecp256k1 (native)";

    /// <summary>Loads the library and creates a context; false with the reason when the library is missing or too old.</summary>
    public static bool TryCreate([NotNullWhen(true)] out NativeSecp256k1? native, out string? reason)
    {
        native = null;
        try
        {
            var ctx = secp256k1_context_create(ContextSignAndVerify);
            if (ctx == IntPtr.Zero)
            {
                reason = "secp256k1_context_create returned null";
                return false;
            }

            var candidate = new NativeSecp256k1(ctx);
            // Touch every entry point once so a library without the recovery module fails here, not on the first ticket.
            var key = new byte[32];
            key[31] = 1;
            var signature = candidate.Sign(new byte[32], key);
            if (!candidate.TryRecover(new byte[32], signature, out _))
            {
                reason = "self-test failed";
                return false;
            }

            native = candidate;
            reason = null;
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            reason = e.Message;
            return false;
        }
    }

    public byte[] DerivePublicKey(ReadOnlySpan<byte> privateKey)
    {
        if (!SignatureRules.IsValidPrivateKey(privateKey))
        {
            throw new ArgumentException("not a valid secp256k1 private key", nameof(privateKey));
        }

        var pubkey = new byte[64];
        if (secp256k1_ec_pubkey_create(context, pubkey, ref MemoryMarshal.GetReference(privateKey)) != 1)
        {
            throw new ArgumentException("not a valid secp256k1 private key", nameof(privateKey));
        }

        return Serialize(pubkey);
    }

    public byte[] Sign(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> privateKey)
    {
        CheckDigest(digest);
        if (!SignatureRules.IsValidPrivateKey(privateKey))
        {
            throw new ArgumentException("not a valid secp256k1 private key", nameof(privateKey));
        }

        var recoverable = new byte[65];
        if (secp256k1_ecdsa_sign_recoverable(context, recoverable, ref MemoryMarshal.GetReference(digest),
                ref MemoryMarshal.GetReference(privateKey), IntPtr.Zero, IntPtr.Zero) != 1)
        {
            throw new InvalidOperationException("secp256k1_ecdsa_sign_recoverable failed");
        }

        var signature = new byte[65];
        secp256k1_ecdsa_recoverable_signature_serialize_compact(context, signature, out var recoveryId, recoverable);
        signature[64] = (byte)(27 + recoveryId);
        return signature;
    }

    public bool TryRecover(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature, out EcPublicKey? publicKey)
    {
        publicKey = null;
        var raw = RecoverRaw(digest, signature);
        if (raw is null)
        {
            return false;
        }

        publicKey = new EcPublicKey(Serialize(raw)) { NativeForm = raw };
        return true;
    }

    public bool Verify(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature, EcPublicKey publicKey)
    {
        // libsecp256k1's ecrecover costs about what its verify costs, and unlike verify it checks V too; comparing
        // the recovered point with the cached one skips the serialisation, keccak and address of a full recover.
        var raw = RecoverRaw(digest, signature);
        return raw is not null && raw.AsSpan().SequenceEqual(NativeFormOf(publicKey));
    }

    /// <summary>Plain ECDSA verification of R‖S against a key, ignoring V (what go-ethereum's VerifySignature does).</summary>
    public bool VerifyIgnoringRecoveryId(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature, EcPublicKey publicKey)
    {
        if (digest.Length != 32 || !SignatureRules.IsWellFormed(signature))
        {
            return false;
        }

        var parsed = new byte[64];
        return secp256k1_ecdsa_signature_parse_compact(context, parsed, ref MemoryMarshal.GetReference(signature)) == 1
            && secp256k1_ecdsa_verify(context, parsed, ref MemoryMarshal.GetReference(digest), NativeFormOf(publicKey)) == 1;
    }

    private byte[]? RecoverRaw(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature)
    {
        if (digest.Length != 32 || !SignatureRules.IsWellFormed(signature))
        {
            return null;
        }

        var parsed = new byte[65];
        if (secp256k1_ecdsa_recoverable_signature_parse_compact(context, parsed, ref MemoryMarshal.GetReference(signature), signature[64] - 27) != 1)
        {
            return null;
        }

        var raw = new byte[64];
        return secp256k1_ecdsa_recover(context, raw, parsed, ref MemoryMarshal.GetReference(digest)) == 1 ? raw : null;
    }

    private byte[] NativeFormOf(EcPublicKey key)
    {
        if (key.NativeForm is { } cached)
        {
            return cached;
        }

        var input = new byte[65];
        input[0] = 0x04;
        key.Bytes.CopyTo(input, 1);
        var parsed = new byte[64];
        if (secp256k1_ec_pubkey_parse(context, parsed, input, (nuint)input.Length) != 1)
        {
            throw new ArgumentException("not a point on secp256k1", nameof(key));
        }

        key.NativeForm = parsed;
        return parsed;
    }

    private byte[] Serialize(byte[] raw)
    {
        var output = new byte[65];
        nuint length = 65;
        secp256k1_ec_pubkey_serialize(context, output, ref length, raw, Uncompressed);
        return output[1..];
    }

    private static void CheckDigest(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != 32)
        {
            throw new ArgumentException("a signed digest is 32 bytes", nameof(digest));
        }
    }

    [DllImport(Library)]
    private static extern IntPtr secp256k1_context_create(uint flags);

    [DllImport(Library)]
    private static extern int secp256k1_ec_pubkey_create(IntPtr ctx, byte[] pubkey, ref byte seckey);

    [DllImport(Library)]
    private static extern int secp256k1_ec_pubkey_parse(IntPtr ctx, byte[] pubkey, byte[] input, nuint inputLength);

    [DllImport(Library)]
    private static extern int secp256k1_ec_pubkey_serialize(IntPtr ctx, byte[] output, ref nuint outputLength, byte[] pubkey, uint flags);

    [DllImport(Library)]
    private static extern int secp256k1_ecdsa_sign_recoverable(IntPtr ctx, byte[] signature, ref byte msg32, ref byte seckey, IntPtr nonceFunction, IntPtr nonceData);

    [DllImport(Library)]
    private static extern int secp256k1_ecdsa_recoverable_signature_serialize_compact(IntPtr ctx, byte[] output64, out int recoveryId, byte[] signature);

    [DllImport(Library)]
    private static extern int secp256k1_ecdsa_recoverable_signature_parse_compact(IntPtr ctx, byte[] signature, ref byte input64, int recoveryId);

    [DllImport(Library)]
    private static extern int secp256k1_ecdsa_recover(IntPtr ctx, byte[] pubkey, byte[] signature, ref byte msg32);

    [DllImport(Library)]
    private static extern int secp256k1_ecdsa_signature_parse_compact(IntPtr ctx, byte[] signature, ref byte input64);

    [DllImport(Library)]
    private static extern int secp256k1_ecdsa_verify(IntPtr ctx, byte[] signature, ref byte msg32, byte[] pubkey);
}
