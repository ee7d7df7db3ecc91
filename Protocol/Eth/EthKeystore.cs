using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nethereum.KeyStore;
using Nethereum.KeyStore.Crypto;
using Nethereum.KeyStore.Model;

namespace LivepeerAspire.Protocol.Eth;

/// <summary>
/// Web3 Secret Storage v3 key files (the keystore go-ethereum and go-livepeer keep in their data directory), read and
/// written by Nethereum.KeyStore (scrypt or PBKDF2-SHA256, AES-128-CTR, keccak MAC). This class keeps the project's
/// errors: malformed files are <see cref="InvalidDataException"/>, a wrong password a <see cref="CryptographicException"/>.
/// </summary>
public static class EthKeystore
{
    private static readonly KeyStoreService Service = new();

    public static byte[] Decrypt(string json, string password)
    {
        JsonNode root;
        try
        {
            root = JsonNode.Parse(json) ?? throw new InvalidDataException("empty keystore");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException("keystore is not JSON: " + e.Message, e);
        }

        var crypto = root["crypto"] ?? root["Crypto"] ?? throw new InvalidDataException("keystore has no crypto section");
        if (root["version"]?.GetValue<int>() != 3)
        {
            throw new InvalidDataException("only version 3 keystores are supported");
        }

        if (crypto["cipher"]?.GetValue<string>() != "aes-128-ctr")
        {
            throw new InvalidDataException("only the aes-128-ctr cipher is supported");
        }

        var kdf = crypto["kdf"]?.GetValue<string>();
        if (kdf is not ("scrypt" or "pbkdf2"))
        {
            throw new InvalidDataException($"unsupported key derivation '{kdf}'");
        }

        try
        {
            return Service.DecryptKeyStoreFromJson(password, json);
        }
        catch (DecryptionException e)
        {
            throw new CryptographicException("wrong keystore password (MAC mismatch)", e);
        }
        catch (Exception e) when (e is not CryptographicException and not OutOfMemoryException)
        {
            throw new InvalidDataException("keystore could not be read: " + e.Message, e);
        }
    }

    /// <summary>Encrypts a private key with scrypt (n = 262144, r = 8, p = 1 by default, as geth's standard).</summary>
    public static string Encrypt(ReadOnlySpan<byte> privateKey, string password, int scryptN = 262_144)
    {
        var account = new EthAccount(privateKey);
        var parameters = new ScryptParams { Dklen = 32, N = scryptN, R = 8, P = 1 };
        return new KeyStoreScryptService().EncryptAndGenerateKeyStoreAsJson(password, privateKey.ToArray(),
            Convert.ToHexStringLower(account.Address.Span), parameters);
    }
}
