using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using LivepeerAspire.Protocol.Net;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Orchestrator.Discovery;

/// <summary>
/// go-livepeer's AuthToken: token = HMAC-SHA256(secret, utf8(session_id) ‖ minimal big-endian expiration),
/// a random session id and a 30-minute expiry. The secret is 32 random bytes per process.
/// </summary>
public sealed class AuthTokenIssuer
{
    private readonly byte[] _secret;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;

    public AuthTokenIssuer(TimeProvider time, IOptions<OrchestratorOptions> options)
        : this(RandomNumberGenerator.GetBytes(32), time, options.Value.AuthTokenLifetime)
    {
    }

    public AuthTokenIssuer(byte[] secret, TimeProvider time, TimeSpan lifetime)
    {
        _secret = secret;
        _time = time;
        _lifetime = lifetime;
    }

    public AuthToken Issue()
    {
        var sessionId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var expiration = (_time.GetUtcNow() + _lifetime).ToUnixTimeSeconds();
        return new AuthToken
        {
            SessionId = sessionId,
            Expiration = expiration,
            Token = ByteString.CopyFrom(Sign(_secret, sessionId, expiration)),
        };
    }

    /// <summary>True when the token was issued by this process and has not expired.</summary>
    public bool IsValid(AuthToken? token) => Verify(token) == AuthTokenVerdict.Valid;

    /// <summary>
    /// go-livepeer's verifySegCreds order: the HMAC first (so a forged expiry never reads as "expired"), then the
    /// expiry, which passes up to and including the expiration second (Go's time.Now().After(expiration)).
    /// </summary>
    public AuthTokenVerdict Verify(AuthToken? token)
    {
        if (token is null)
        {
            return AuthTokenVerdict.Missing;
        }

        if (!CryptographicOperations.FixedTimeEquals(Sign(_secret, token.SessionId, token.Expiration), token.Token.Span))
        {
            return AuthTokenVerdict.NotIssuedHere;
        }

        // Exact (decimal) seconds: no overflow for any int64 expiration, and no rounding of the current second.
        var now = (decimal)(_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerSecond;
        return now > token.Expiration ? AuthTokenVerdict.Expired : AuthTokenVerdict.Valid;
    }

    public static byte[] Sign(byte[] secret, string sessionId, long expiration)
    {
        var id = Encoding.UTF8.GetBytes(sessionId);
        var exp = expiration <= 0 ? [] : new BigInteger(expiration).ToByteArray(isUnsigned: true, isBigEndian: true);
        byte[] message = [.. id, .. exp];
        return HMACSHA256.HashData(secret, message);
    }
}

public enum AuthTokenVerdict
{
    Valid,
    Missing,
    NotIssuedHere,
    Expired,
}
