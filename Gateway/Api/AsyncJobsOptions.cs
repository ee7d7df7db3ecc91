namespace LivepeerAspire.Gateway.Api;

/// <summary>
/// Configuration section <c>AsyncJobs</c>: image-to-video jobs sent with <c>Prefer: respond-async</c>.
/// go-livepeer keeps such results in its object store with no bound; here they live in memory, so both the time a
/// finished result is kept and the number of jobs are bounded.
/// </summary>
public sealed class AsyncJobsOptions
{
    public const string Section = "AsyncJobs";

    /// <summary>How long a finished result can be fetched from <c>/image-to-video/result</c>.</summary>
    public TimeSpan ResultTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Jobs still running at once; one more is refused with 503 and <c>Retry-After</c>.</summary>
    public int MaxPending { get; set; } = 64;

    /// <summary>Finished results kept at once; past it the oldest finished result is dropped before its TTL.</summary>
    public int MaxResults { get; set; } = 1000;

    public IEnumerable<string> Validate()
    {
        if (ResultTtl <= TimeSpan.Zero)
        {
            yield return $"AsyncJobs:ResultTtl must be positive (got {ResultTtl}); it is how long a finished async result is kept";
        }

        if (MaxPending <= 0)
        {
            yield return $"AsyncJobs:MaxPending must be positive (got {MaxPending}); it is how many async jobs may run at once";
        }

        if (MaxResults <= 0)
        {
            yield return $"AsyncJobs:MaxResults must be positive (got {MaxResults}); it is how many finished async results are kept";
        }
    }
}
