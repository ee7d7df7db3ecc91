namespace LivepeerAspire.Protocol.Progress;

/// <summary>
/// The chunk arithmetic both sides share: n steps in chunks of N, chunk k = steps ((k−1)N, min(kN, n)], and chunk
/// k's share of the job's units ⌊U·min(kN, n)/n⌋ − ⌊U·(k−1)N/n⌋, so the shares add up to exactly U (price per step =
/// fee ÷ n).
/// </summary>
public readonly record struct Chunks(int TotalSteps, int ChunkSteps)
{
    public int Count => (TotalSteps + ChunkSteps - 1) / ChunkSteps;

    /// <summary>The last step of chunk k.</summary>
    public int EndStep(int chunk) => Math.Min(chunk * ChunkSteps, TotalSteps);

    /// <summary>Chunks fully done after <paramref name="step"/>.</summary>
    public int DeliveredAt(int step) => step >= TotalSteps ? Count : step / ChunkSteps;

    /// <summary>True when <paramref name="step"/> ends a chunk.</summary>
    public bool EndsChunk(int step) => step > 0 && (step == TotalSteps || step % ChunkSteps == 0);

    public long UnitsOf(int chunk, long units)
    {
        if (chunk < 1 || chunk > Count || TotalSteps <= 0)
        {
            return 0;
        }

        return UnitsThrough(EndStep(chunk), units) - UnitsThrough((chunk - 1) * ChunkSteps, units);
    }

    private long UnitsThrough(int step, long units) =>
        (long)(System.Numerics.BigInteger.Multiply(units, step) / TotalSteps);
}
