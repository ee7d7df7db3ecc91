namespace LivepeerAspire.LoadTests.Running;

public static class Outcomes
{
    public const string Ok = "ok";
    public const string Error = "error";
    public const string Timeout = "timeout";

    /// <summary>Never sent because the client hit its in-flight cap; counted as a failure, never dropped.</summary>
    public const string NotSent = "not-sent";
}

/// <summary>
/// What happened to one request. Times are milliseconds from the start of the run. Latency is measured from
/// the intended send time (open model), so a generator that falls behind or a stalled target shows up here.
/// </summary>
public sealed record RequestRecord
{
    public string Run { get; init; } = "";
    public int Index { get; init; }
    public required string Job { get; init; }

    /// <summary><c>warmup</c> (excluded from stats) or <c>measure</c>.</summary>
    public required string Phase { get; init; }

    public double IntendedMs { get; init; }
    public double SentMs { get; init; }
    public double EndMs { get; init; }
    public int Status { get; init; }
    public required string Outcome { get; init; }

    /// <summary>End minus intended send time.</summary>
    public double LatencyMs => EndMs - IntendedMs;

    /// <summary>End minus actual send time (what a closed-loop tool would report).</summary>
    public double ServiceMs => EndMs - SentMs;

    public double LagMs => SentMs - IntendedMs;

    /// <summary>First content chunk minus intended send time (streamed LLM jobs only).</summary>
    public double? TtftMs { get; init; }

    /// <summary>Gaps between consecutive content chunks after the first.</summary>
    public IReadOnlyList<double> ItlMs { get; init; } = [];

    public int? Tokens { get; init; }
    public string Orchestrator { get; init; } = "";
    public int? Attempts { get; init; }

    /// <summary>Livepeer-Fee in wei as sent by the gateway (integer string), empty when absent.</summary>
    public string FeeWei { get; init; } = "";

    public string Error { get; init; } = "";

    public bool IsOk => Outcome == Outcomes.Ok;

    public bool IsMeasured => Phase == "measure";

    /// <summary>Time per output token after the first, vLLM's TPOT: (E2E − TTFT) / (tokens − 1).</summary>
    public double? TpotMs => TtftMs is { } ttft && Tokens is > 1 ? (LatencyMs - ttft) / (Tokens.Value - 1) : null;
}
