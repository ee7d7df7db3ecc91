using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Org.BouncyCastle.Crypto.Generators;

namespace LivepeerAspire.Protocol.Eth;

/// <summary>
/// Web3 Secret Storage v3 key files (the keystore go-ethereum and go-livepeer keep in their data directory):
/// scrypt or PBKDF2-SHA256 key derivation, AES-128-CTR, MAC = keccak256(derivedKey[16..32] ‖ ciphertext).
/// </summary>
public static class EthKeystore
{
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

        var ciphertext = Hex(crypto["ciphertext"]);
        var iv = Hex(crypto["cipherparams"]?["iv"]);
        var kdfParams = crypto["kdfparams"] ?? throw new InvalidDataException("keystore has no kdfparams");
        var salt = Hex(kdfParams["salt"]);
        var dkLen = kdfParams["dklen"]?.GetValue<int>() ?? 32;
        var password8 = Encoding.UTF8.GetBytes(password);
        var derived = crypto["kdf"]?.GetValue<string>() switch
        {
            "scrypt" => SCrypt.Generate(password8, salt, kdfParams["n"]!.GetValue<int>(), kdfParams["r"]!.GetValue<int>(), kdfParams["p"]!.GetValue<int>(), dkLen),
            "pbkdf2" when kdfParams["prf"]?.GetValue<string>() == "hmac-sha256" =>
                Rfc2898DeriveBytes.Pbkdf2(password8, salt, kdfParams["c"]!.GetValue<int>(), HashAlgorithmName.SHA256, dkLen),
            var other => throw new InvalidDataException($"unsupported key derivation '{other}'"),
        };

        var mac = Keccak256.Hash([.. derived.AsSpan(16, 16), .. ciphertext]);
        if (!CryptographicOperations.FixedTimeEquals(mac, Hex(crypto["mac"])))
        {
            throw new CryptographicException("wrong keystore password (MAC mismatch)");
        }

        return AesCtr(derived[..16], iv, ciphertext);
    }

    /// <summary>Encrypts a private key with scrypt (n = 262144, r = 8, p = 1 by default, as geth's standard).</summary>
    public static string Encrypt(ReadOnlySpan<byte> privateKey, string password, int scryptN = 262_144)
    {
        var account = new EthAccount(privateKey);
        var salt = RandomNumberGenerator.GetBytes(32);
        var iv = RandomNumberGenerator.GetBytes(16);
        var derived = SCrypt.Generate(Encoding.UTF8.GetBytes(password), salt, scryptN, 8, 1, 32);
        var ciphertext = AesCtr(derived[..16], iv, privateKey.ToArray());
        var mac = Keccak256.Hash([.. derived.AsSpan(16, 16), .. ciphertext]);
        var json = new JsonObject
        {
            ["address"] = Convert.ToHexStringLower(account.Address.Span),
            ["crypto"] = new JsonObject
            {
                ["cipher"] = "aes-128-ctr",
                ["ciphertext"] = Convert.ToHexStringLower(ciphertext),
                ["cipherparams"] = new JsonObject { ["iv"] = Convert.ToHexStringLower(iv) },
                ["kdf"] = "scrypt",
                ["kdfparams"] = new JsonObject { ["dklen"] = 32, ["n"] = scryptN, ["p"] = 1, ["r"] = 8, ["salt"] = Convert.ToHexStringLower(salt) },
                ["mac"] = Convert.ToHexStringLower(mac),
            },
            ["id"] = Guid.NewGuid().ToString(),
            ["version"] = 3,
        };
        return json.ToJsonString();
    }

    private static byte[] AesCtr(byte[] key, byte[] iv, byte[] input)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        var counter = (byte[])iv.Clone();
        var output = new byte[input.Length];
        var block = new byte[16];
        for (var offset = 0; offset < input.Length; offset += 16)
        {
            aes.EncryptEcb(counter, block, PaddingMode.None);
            for (var i = 0; i < 16 && offset + i < input.Length; i++)
            {
                output[offset + i] = (byte)(input[offset + i] ^ block[i]);
            }

            for (var i = 15; i >= 0 && ++counter[i] == 0; i--)
            {
            }
        }

        return output;
    }

    private static byte[] Hex(JsonNode? node) =>
        node?.GetValue<string>() is { } text ? Convert.FromHexString(text.StartsWith("0x", StringComparison.Ordinal) ? text[2..] : text) : throw new InvalidDataException("keystore field missing");
}
