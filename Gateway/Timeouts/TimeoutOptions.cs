using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Timeouts;

/// <summary>
/// Configuration section <c>Timeouts</c>: deadlines, the retry loop, cooldowns and hedging. go-livepeer has no
/// per-pipeline deadline for batch AI (an attempt runs as long as the client waits); these are ours.
/// </summary>
public sealed class TimeoutOptions
{
    public const string Section = "Timeouts";

    /// <summary>Header a client may send to ask for its own total deadline in milliseconds.</summary>
    public const string DeadlineHeader = "Livepeer-Deadline-Ms";

    /// <summary>
    /// Expected service time of one default-sized job on a fast (RTX 4090-class) GPU, in real seconds. Defaults are
    /// derived from these: deadline = expected × DeadlineFactor × ServiceTimeScale.
    /// </summary>
    public static IReadOnlyDictionary<string, double> ExpectedServiceSeconds { get; } = new Dictionary<string, double>
    {
        ["text-to-image"] = 4,
        ["image-to-image"] = 4,
        ["image-to-video"] = 52,
        ["upscale"] = 20,
        ["audio-to-text"] = 10,
        ["segment-anything-2"] = 2,
        ["llm"] = 6,
        ["image-to-text"] = 2,
        ["text-to-speech"] = 10,
    };

    /// <summary>Scales the default deadlines, e.g. 0.01 for a simulated fleet running at Simulator:TimeScale 0.01.</summary>
    public double ServiceTimeScale { get; set; } = 1.0;

    /// <summary>Default deadline = expected service time × this (20 leaves an RTX 4060, ~10× slower, room to queue and still finish).</summary>
    public double DeadlineFactor { get; set; } = 20;

    /// <summary>One attempt may use at most this share of the total deadline, leaving room to fail over.</summary>
    public double AttemptShare { get; set; } = 0.6;

    /// <summary>Per pipeline overrides: <c>Timeouts:Pipelines:llm:Deadline=00:00:30</c>, <c>…:AttemptTimeout</c>.</summary>
    public Dictionary<string, PipelineTimeout> Pipelines { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Streamed LLM: the first chunk must arrive within this, or the attempt fails over.</summary>
    public TimeSpan FirstToken { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Streamed LLM: after the first chunk, a gap longer than this ends the stream with an error chunk.</summary>
    public TimeSpan StreamIdle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest deadline a client may ask for through <see cref="DeadlineHeader"/>.</summary>
    public TimeSpan MaxClientDeadline { get; set; } = TimeSpan.FromHours(1);

    /// <summary>go-livepeer's maxTries.</summary>
    public int MaxAttempts { get; set; } = 20;

    /// <summary>
    /// [-aiProcessingRetryTimeout] No new attempt starts once this much time has passed since the request began
    /// (go-livepeer: 2 s). Zero (the default here) means attempts may start until the deadline.
    /// </summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.Zero;

    /// <summary>LiteLLM-style cooldown after "insufficient capacity" or a ticket error.</summary>
    public TimeSpan CooldownTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Hedging for non-streamed jobs: a second attempt after <see cref="HedgeAfterShare"/> of the attempt timeout (or the p95 of measured latency); the loser is cancelled.</summary>
    public bool Hedging { get; set; }

    public double HedgeAfterShare { get; set; } = 0.5;

    public TimeSpan DeadlineFor(Pipeline pipeline)
    {
        if (Pipelines.TryGetValue(pipeline.Name, out var custom) && custom.Deadline is { } deadline)
        {
            return deadline;
        }

        return TimeSpan.FromSeconds(ExpectedServiceSeconds.GetValueOrDefault(pipeline.Name, 10) * DeadlineFactor * ServiceTimeScale);
    }

    public TimeSpan AttemptTimeoutFor(Pipeline pipeline, TimeSpan deadline)
    {
        if (Pipelines.TryGetValue(pipeline.Name, out var custom) && custom.AttemptTimeout is { } attempt)
        {
            return attempt;
        }

        return deadline * AttemptShare;
    }

    public IEnumerable<string> Validate()
    {
        if (ServiceTimeScale <= 0)
        {
            yield return $"Timeouts:ServiceTimeScale must be positive (got {ServiceTimeScale})";
        }

        if (DeadlineFactor <= 0)
        {
            yield return $"Timeouts:DeadlineFactor must be positive (got {DeadlineFactor})";
        }

        if (AttemptShare is <= 0 or > 1)
        {
            yield return $"Timeouts:AttemptShare must be in (0, 1] (got {AttemptShare})";
        }

        foreach (var (name, value) in new[] { ("FirstToken", FirstToken), ("StreamIdle", StreamIdle), ("MaxClientDeadline", MaxClientDeadline) })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return $"Timeouts:{name} must be positive (got {value})";
            }
        }

        if (RetryWindow < TimeSpan.Zero)
        {
            yield return $"Timeouts:RetryWindow must not be negative (got {RetryWindow})";
        }

        if (CooldownTime < TimeSpan.Zero)
        {
            yield return $"Timeouts:CooldownTime must not be negative (got {CooldownTime})";
        }

        if (MaxAttempts < 1)
        {
            yield return $"Timeouts:MaxAttempts must be at least 1 (got {MaxAttempts})";
        }

        if (HedgeAfterShare is <= 0 or >= 1)
        {
            yield return $"Timeouts:HedgeAfterShare must be in (0, 1) (got {HedgeAfterShare})";
        }

        foreach (var (pipeline, timeout) in Pipelines)
        {
            if (!PipelineCatalog.TryGet(pipeline, out _))
            {
                yield return $"Timeouts:Pipelines:{pipeline} is not a known pipeline";
            }

            if (timeout.Deadline is { } d && d <= TimeSpan.Zero)
            {
                yield return $"Timeouts:Pipelines:{pipeline}:Deadline must be positive (got {d})";
            }

            if (timeout.AttemptTimeout is { } a && a <= TimeSpan.Zero)
            {
                yield return $"Timeouts:Pipelines:{pipeline}:AttemptTimeout must be positive (got {a})";
            }
        }
    }
}

public sealed class PipelineTimeout
{
    public TimeSpan? Deadline { get; set; }

    public TimeSpan? AttemptTimeout { get; set; }
}
