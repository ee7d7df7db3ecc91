namespace LivepeerAspire.Gateway.Progress;

/// <summary>Pay per progress (issue 17; docs/gateway.md § Pay per progress), section <c>Progress</c>.</summary>
public sealed class ProgressOptions
{
    public const string Section = "Progress";

    /// <summary>Run every batch diffusion job as an interactive job where the orchestrator offers it.</summary>
    public bool Enabled { get; set; }

    /// <summary>N: steps per chunk, one payment and one deadline check each.</summary>
    public int ChunkSteps { get; set; } = 5;

    /// <summary>Stalled = no event for this many times the longest gap between chunks so far.</summary>
    public double StallFactor { get; set; } = 3;

    /// <summary>
    /// Abandon only when the projected time to finish exceeds the time left by more than this share: a projection
    /// from a chunk or two carries timing noise, and a GPU just inside the deadline should not be given up for it.
    /// </summary>
    public double AbandonMargin { get; set; } = 0.2;

    /// <summary>The stall limit is never shorter than this: fast chunks must not read a scheduling hiccup as a hang.</summary>
    public TimeSpan StallMinimum { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<string> Validate()
    {
        if (ChunkSteps is < 1 or > Protocol.Progress.ProgressHeaders.MaxChunkSteps)
        {
            yield return $"Progress:ChunkSteps must be between 1 and {Protocol.Progress.ProgressHeaders.MaxChunkSteps} (got {ChunkSteps})";
        }

        if (!(AbandonMargin >= 0) || !double.IsFinite(AbandonMargin))
        {
            yield return $"Progress:AbandonMargin must be 0 or more (got {AbandonMargin})";
        }

        if (StallMinimum <= TimeSpan.Zero)
        {
            yield return $"Progress:StallMinimum must be positive (got {StallMinimum})";
        }

        if (!(StallFactor >= 1) || !double.IsFinite(StallFactor))
        {
            yield return $"Progress:StallFactor must be a number of at least 1 (got {StallFactor})";
        }
    }
}
