using LivepeerAspire.LoadTests.Jobs;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>
/// Expected real-world service time of one job on one GPU (seconds), from the published figures the simulator
/// is calibrated on (reference runners-and-ollama §6.7), and the fleet capacity a topology gives.
/// </summary>
public static class CapacityModel
{
    // profile key → pipeline → seconds per job at the load tests' default request sizes.
    private static readonly Dictionary<string, Dictionary<string, double>> Seconds = new()
    {
        ["4060"] = new() { ["image-to-video"] = 517, ["text-to-image"] = 3, ["llm"] = 1.6, ["audio-to-text"] = 0.4, ["image-to-image"] = 3, ["upscale"] = 6 },
        ["3090"] = new() { ["image-to-video"] = 100, ["text-to-image"] = 1, ["llm"] = 0.6, ["audio-to-text"] = 0.2, ["image-to-image"] = 1, ["upscale"] = 2.5 },
        ["4090"] = new() { ["image-to-video"] = 50, ["text-to-image"] = 0.5, ["llm"] = 0.55, ["audio-to-text"] = 0.12, ["image-to-image"] = 0.5, ["upscale"] = 1.3 },
        ["a100"] = new() { ["image-to-video"] = 75, ["text-to-image"] = 0.6, ["llm"] = 0.6, ["audio-to-text"] = 0.12, ["image-to-image"] = 0.6, ["upscale"] = 1.5 },
        ["h100"] = new() { ["image-to-video"] = 42, ["text-to-image"] = 0.35, ["llm"] = 0.4, ["audio-to-text"] = 0.08, ["image-to-image"] = 0.35, ["upscale"] = 0.9 },
    };

    public static double? ServiceSeconds(string profile, string pipeline)
    {
        var p = profile.ToLowerInvariant();
        foreach (var (key, table) in Seconds)
        {
            if (p.Contains(key, StringComparison.Ordinal) && table.TryGetValue(pipeline, out var s))
            {
                return s;
            }
        }

        return null;
    }

    /// <summary>Jobs per second the topology's GPUs for <paramref name="kind"/> can finish, at the topology's time scale.</summary>
    public static double FleetCapacity(TopologyInfo topology, JobKind kind, double? timeScaleOverride = null)
    {
        var scale = timeScaleOverride ?? topology.TimeScale ?? 1;
        var total = 0.0;
        foreach (var gpu in topology.Gpus.Where(g => g.Pipeline == kind.Pipeline()))
        {
            if (ServiceSeconds(gpu.Profile, gpu.Pipeline) is { } s)
            {
                total += gpu.Parallelism / (s * scale);
            }
        }

        return total;
    }
}
