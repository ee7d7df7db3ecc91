namespace LivepeerAspire.Gateway.Queueing;

/// <summary>
/// Configuration section <c>Queue</c>: holding jobs while every orchestrator for their (pipeline, model) is at
/// capacity, instead of answering 503 at once (go-livepeer has no such queue; it fails the job).
/// </summary>
public sealed class QueueOptions
{
    public const string Section = "Queue";

    /// <summary>Jobs held per (pipeline, model); one more is refused with 503 and Retry-After. 0 turns the queue off.</summary>
    public int MaxWaiting { get; set; } = 100;

    /// <summary>Longest a job waits in the queue; unset = up to the job's deadline.</summary>
    public TimeSpan? MaxWait { get; set; }

    /// <summary>The Retry-After of a 503 from a full queue or a wait that ran out.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    public bool Enabled => MaxWaiting > 0;

    public IEnumerable<string> Validate()
    {
        if (MaxWaiting < 0)
        {
            yield return $"Queue:MaxWaiting must not be negative (got {MaxWaiting})";
        }

        if (MaxWait is { } wait && wait <= TimeSpan.Zero)
        {
            yield return $"Queue:MaxWait must be positive when set (got {wait})";
        }

        if (RetryAfter < TimeSpan.FromSeconds(1))
        {
            yield return $"Queue:RetryAfter must be at least 00:00:01, Retry-After counts whole seconds (got {RetryAfter})";
        }
    }
}
