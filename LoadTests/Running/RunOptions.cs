namespace LivepeerAspire.LoadTests.Running;

/// <summary>Bounds of one run: every run ends by its request count and by its time limit.</summary>
public sealed record RunOptions
{
    public required Uri Gateway { get; init; }

    /// <summary>Per-request limit; a request without a complete answer by then is a timeout.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long after the last scheduled send the run waits for in-flight requests; they are then
    /// cut and counted as timeouts ("still in flight at the end of the run").</summary>
    public TimeSpan? Drain { get; init; }

    /// <summary>Client-side cap; a planned request over the cap is recorded as not sent (a failure), never dropped.</summary>
    public int MaxInFlight { get; init; } = 2000;

    public TimeSpan EffectiveDrain => Drain ?? RequestTimeout;
}
