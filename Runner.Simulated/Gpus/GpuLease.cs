namespace LivepeerAspire.Runner.Simulated.Gpus;

/// <summary>
/// A job holding one of the GPU's slots. Work is scheduled on a cursor in wall-clock time, so many short
/// waits (tokens) add up without drift. Disposing frees the slot and restarts the keep-alive timer.
/// </summary>
public sealed class GpuLease : IAsyncDisposable
{
    private readonly SimulatedGpu gpu;
    private DateTimeOffset cursor;
    private int disposed;

    internal GpuLease(SimulatedGpu gpu, double speedFactor, TimeSpan? keepAlive, bool ollama)
    {
        this.gpu = gpu;
        SpeedFactor = speedFactor;
        KeepAlive = keepAlive;
        Ollama = ollama;
        cursor = gpu.Clock.WallNow;
        Started = cursor;
    }

    public DateTimeOffset Started { get; }

    public Timing.SimClock Clock => gpu.Clock;

    /// <summary>Noise × slow fault × CPU-offload slowdown, applied to every service duration of this job.</summary>
    public double SpeedFactor { get; }

    /// <summary>Simulated load time paid by this job (cold load, or the near-zero warm check).</summary>
    public TimeSpan LoadDuration { get; internal set; }

    /// <summary>Simulated service time waited so far (excluding load).</summary>
    public TimeSpan ServiceDuration { get; private set; }

    internal TimeSpan? KeepAlive { get; }

    internal bool Ollama { get; }

    internal bool Completed { get; private set; }

    /// <summary>Waits a nominal service duration, scaled by this job's speed factor and the current batching slowdown.</summary>
    public Task WorkAsync(TimeSpan nominal, CancellationToken ct)
    {
        var simulated = nominal * SpeedFactor * gpu.BatchingSlowdown();
        ServiceDuration += simulated;
        return AdvanceAsync(simulated, ct);
    }

    /// <summary>Waits a simulated duration as is (loads).</summary>
    internal Task AdvanceAsync(TimeSpan simulated, CancellationToken ct)
    {
        cursor += gpu.Clock.ToWall(simulated);
        return gpu.Clock.WaitUntilAsync(cursor, gpu.ThrowIfDown, ct);
    }

    /// <summary>Marks the job as served (counted in jobsServed) before the lease is disposed.</summary>
    public void Complete() => Completed = true;

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            gpu.Release(this);
        }

        return ValueTask.CompletedTask;
    }
}
