using System.Security.Cryptography;
using System.Text;

namespace LivepeerAspire.Gateway.Access;

/// <summary>
/// Keys are 32 random bytes, base64url, behind <c>lpk_</c>. Only their SHA-256 is stored: a key has 256 bits of
/// entropy, so a slow password hash would add nothing but latency to every request.
/// </summary>
public static class ApiKeys
{
    public const string Prefix = "lpk_";

    /// <summary>Longer bearer tokens are refused before they are hashed.</summary>
    public const int MaxLength = 256;

    public static string Generate() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A short random id that names a key in rows and logs instead of the key or its hash.</summary>
    public static string NewId() => "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>
    /// Reads <c>Authorization: Bearer &lt;token&gt;</c>. Returns null and a reason the client can act on when the header
    /// is missing or malformed; the reason never quotes the token.
    /// </summary>
    public static string? ReadBearer(string? header, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(header))
        {
            error = "missing API key: send Authorization: Bearer <key>";
            return null;
        }

        var space = header.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !header.AsSpan(0, space).Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            error = "malformed Authorization header: use the Bearer scheme, Authorization: Bearer <key>";
            return null;
        }

        var token = header[(space + 1)..].Trim();
        if (token.Length == 0)
        {
            error = "missing API key: the Authorization header has the Bearer scheme but no key";
            return null;
        }

        if (token.Length > MaxLength)
        {
            error = $"malformed API key: {token.Length} characters, keys have at most {MaxLength}";
            return null;
        }

        if (token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            error = "malformed Authorization header: the key must be a single token without spaces";
            return null;
        }

        return token;
    }

    public static bool SameSecret(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
