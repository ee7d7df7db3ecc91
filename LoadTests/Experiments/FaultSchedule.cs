namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>One fault switched on at <see cref="At"/> (from the start of the run) on one GPU until the run ends.</summary>
public sealed record FaultEvent(TimeSpan At, string GpuId, string Kind, object Body);

/// <summary>
/// Named fault schedules of the failover experiment. Which GPU fails and when comes from the seed, so the
/// same seed gives the same schedule; the victim is always one of the GPUs serving the workload's pipeline.
/// </summary>
public static class FaultSchedule
{
    public static IReadOnlyList<string> Names { get; } = ["none", "crash", "hang", "slow", "errors"];

    public static IReadOnlyList<FaultEvent> Create(string name, IReadOnlyList<string> candidateGpus, TimeSpan warmUp, TimeSpan duration, int seed)
    {
        if (name == "none")
        {
            return [];
        }

        if (candidateGpus.Count == 0)
        {
            throw new UsageException($"fault schedule '{name}' needs at least one GPU serving the workload's pipeline in the topology");
        }

        var random = new Random(unchecked((seed * 31) + name.Length));
        var victim = candidateGpus.OrderBy(g => g, StringComparer.Ordinal).ElementAt(random.Next(candidateGpus.Count));
        var at = warmUp + (duration * (0.2 + (0.1 * random.NextDouble())));
        object body = name switch
        {
            "crash" => new { kind = "crash" },
            "hang" => new { kind = "hang" },
            "slow" => new { kind = "slow", factor = 10 },
            "errors" => new { kind = "errors", rate = 0.2 },
            _ => throw new UsageException($"unknown fault schedule '{name}'; known: {string.Join(", ", Names)}"),
        };
        return [new FaultEvent(at, victim, name, body)];
    }
}
