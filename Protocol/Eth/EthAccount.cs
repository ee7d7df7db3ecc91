using System.Security.Cryptography;

namespace LivepeerAspire.Protocol.Eth;

/// <summary>A node's Ethereum identity: its private key, public key and address, and signing with it.</summary>
public sealed class EthAccount
{
    public const string DefaultKeyFileName = "eth.key";

    private readonly byte[] privateKey;
    private readonly ISecp256k1 crypto;

    public EthAccount(ReadOnlySpan<byte> privateKey, ISecp256k1? crypto = null)
    {
        if (!SignatureRules.IsValidPrivateKey(privateKey))
        {
            throw new ArgumentException("a secp256k1 private key is 32 bytes in [1, n-1]", nameof(privateKey));
        }

        this.privateKey = privateKey.ToArray();
        this.crypto = crypto ?? Secp256k1.Default;
        PublicKey = new EcPublicKey(this.crypto.DerivePublicKey(privateKey));
    }

    public EcPublicKey PublicKey { get; }

    /// <summary>The key as 0x-hex, for signing chain transactions (Nethereum's account takes it in this form).</summary>
    internal string PrivateKeyHex() => "0x" + Convert.ToHexStringLower(privateKey);

    public EthAddress Address => PublicKey.Address;

    /// <summary>Signs a 32-byte digest as it is (tickets are signed over personal_sign(ticketHash); pass that hash here).</summary>
    public byte[] SignDigest(ReadOnlySpan<byte> digest) => crypto.Sign(digest, privateKey);

    /// <summary>personal_sign: signs keccak256("\x19Ethereum Signed Message:\n" ‖ len ‖ message).</summary>
    public byte[] SignPersonal(ReadOnlySpan<byte> message) => crypto.Sign(PersonalSign.Hash(message), privateKey);

    public static EthAccount FromHex(string hex, ISecp256k1? crypto = null) =>
        new(Convert.FromHexString(hex.Trim().StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex.Trim()[2..] : hex.Trim()), crypto);

    /// <summary>An account from a Web3 Secret Storage v3 (geth/go-livepeer keystore) JSON file's text.</summary>
    public static EthAccount FromKeystore(string json, string password, ISecp256k1? crypto = null) => new(EthKeystore.Decrypt(json, password), crypto);

    public static EthAccount Generate(ISecp256k1? crypto = null)
    {
        var key = new byte[32];
        do
        {
            RandomNumberGenerator.Fill(key);
        }
        while (!SignatureRules.IsValidPrivateKey(key));

        return new EthAccount(key, crypto);
    }

    /// <summary>
    /// Reads the raw hex key file (<c>0x</c> + 64 hex digits) in <paramref name="dataDirectory"/>, or creates one with a
    /// fresh key (owner-only permissions) when it is absent. A malformed file is an error, never silently replaced.
    /// </summary>
    public static EthAccount LoadOrCreate(string dataDirectory, string fileName = DefaultKeyFileName, ISecp256k1? crypto = null)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, fileName);
        if (File.Exists(path))
        {
            var text = File.ReadAllText(path).Trim();
            try
            {
                return FromHex(text, crypto);
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new InvalidDataException($"key file {path} must hold one secp256k1 private key as 0x + 64 hex digits: {e.Message}", e);
            }
        }

        var account = Generate(crypto);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, "0x" + Convert.ToHexStringLower(account.privateKey) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs so every process of the node shares one identity.
            File.Delete(temporary);
            return FromHex(File.ReadAllText(path), crypto);
        }

        return account;
    }
}
