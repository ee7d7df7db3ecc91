namespace LivepeerAspire.LoadTests.Stats;

/// <summary>One bucket of the latency-over-time chart, by intended send time.</summary>
public sealed record TimeBucket(double StartS, int Sent, int Ok, int Failed, double P50Ms, double P99Ms);

/// <summary>Everything a report says about one run. Serialised as-is into summary.json.</summary>
public sealed record RunSummary
{
    public required string Label { get; init; }
    public required string Scenario { get; init; }
    public required string Mix { get; init; }
    public required string Simulation { get; init; }
    public required string LoadModel { get; init; }
    public int Seed { get; init; }
    public double WarmUpSeconds { get; init; }
    public double MeasuredSeconds { get; init; }
    public double RequestTimeoutSeconds { get; init; }

    /// <summary>Requests per second the schedule asked for in the measured phase (NaN for the closed model).</summary>
    public double TargetRps { get; init; }

    /// <summary>Requests per second the generator actually sent in the measured phase.</summary>
    public double AchievedRps { get; init; }

    /// <summary>Actual minus intended send time, measured phase.</summary>
    public required Distribution SendLag { get; init; }

    public bool GeneratorOverloaded { get; init; }
    public string OverloadReason { get; init; } = "";
    public int WarmUpRequestsExcluded { get; init; }
    public required string Slo { get; init; }
    public required GroupStats Overall { get; init; }
    public required IReadOnlyList<GroupStats> ByJob { get; init; }
    public required IReadOnlyList<GroupStats> ByOrchestrator { get; init; }
    public required IReadOnlyList<TimeBucket> Timeline { get; init; }

    /// <summary>Experiment parameters of this run (strategy, load, fault, timeout…).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
}
