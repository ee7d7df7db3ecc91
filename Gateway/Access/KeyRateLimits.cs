using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using LivepeerAspire.Gateway.Api;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Access;

/// <summary>
/// Per-key rates with System.Threading.RateLimiting token buckets. Requests per minute run in ASP.NET Core's rate
/// limiting middleware (<see cref="RequestsPartition"/>). Tokens per minute are the LLM's <c>max_tokens</c>, taken when
/// the job is admitted: that is what the gateway pays for, and it is known before anything is sent.
/// </summary>
public sealed class KeyRateLimits(IOptions<AccessOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, TokenBucketRateLimiter> tokens = new(StringComparer.Ordinal);

    public int? RequestsPerMinute(AccessKey key) => Positive(key.RequestsPerMinute ?? options.Value.DefaultRequestsPerMinute);

    public int? TokensPerMinute(AccessKey key) => Positive(key.TokensPerMinute ?? options.Value.DefaultTokensPerMinute);

    /// <summary>The rate limiting middleware's partition for a request: the key's bucket, or none.</summary>
    public RateLimitPartition<string> RequestsPartition(HttpContext context) =>
        context.Items[AccessMiddleware.KeyItem] is AccessKey key && RequestsPerMinute(key) is { } rpm
            ? RateLimitPartition.GetTokenBucketLimiter(key.Id, _ => PerMinute(rpm))
            : RateLimitPartition.GetNoLimiter("");

    public void AcquireTokens(HttpContext context, AccessKey key, long maxTokens)
    {
        if (TokensPerMinute(key) is not { } tpm)
        {
            return;
        }

        if (maxTokens > tpm)
        {
            throw GatewayError.BadRequest($"max_tokens {maxTokens} is more than API key '{key.Name}' may use in a minute ({tpm} tokens per minute); ask for fewer tokens");
        }

        var bucket = tokens.GetOrAdd(key.Id, _ => new TokenBucketRateLimiter(PerMinute(tpm)));
        using var lease = bucket.AttemptAcquire((int)maxTokens);
        if (!lease.IsAcquired)
        {
            var retry = RetryAfterSeconds(lease);
            context.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
            throw new GatewayError(StatusCodes.Status429TooManyRequests,
                $"API key '{key.Name}' is over its limit of {tpm} LLM tokens per minute (max_tokens counts); retry after {retry} s");
        }
    }

    public static int RetryAfterSeconds(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 60;

    public void Dispose()
    {
        foreach (var bucket in tokens.Values)
        {
            bucket.Dispose();
        }
    }

    /// <summary>A full bucket of one minute's allowance, refilled evenly each second.</summary>
    private static TokenBucketRateLimiterOptions PerMinute(int perMinute) => new()
    {
        TokenLimit = perMinute,
        TokensPerPeriod = Math.Max(1, perMinute / 60),
        ReplenishmentPeriod = perMinute >= 60 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(60.0 / perMinute),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static int? Positive(int value) => value > 0 ? value : null;
}
