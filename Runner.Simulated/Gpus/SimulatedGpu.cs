using LivepeerAspire.Runner.Simulated.Faults;
using LivepeerAspire.Runner.Simulated.Fleet;
using LivepeerAspire.Runner.Simulated.Profiles;
using LivepeerAspire.Runner.Simulated.Timing;

namespace LivepeerAspire.Runner.Simulated.Gpus;

/// <summary>
/// One simulated GPU: a number of slots (parallelism), a bounded queue, the model's load state with
/// keep-alive eviction, its faults and seeded random streams (noise, fault draws, content).
/// </summary>
public sealed class SimulatedGpu
{
    /// <summary>Ollama's default keep_alive.</summary>
    public static readonly TimeSpan OllamaDefaultKeepAlive = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim slots;
    private readonly SemaphoreSlim loadLock = new(1, 1);
    private readonly Lock stateGate = new();
    private readonly Random noiseRandom;
    private readonly Random faultRandom;
    private readonly Random contentRandom;
    private readonly ProfileFile profiles;
    private int waiting;
    private int inService;
    private long jobsServed;
    private double abandonedSeconds;
    private bool loaded;
    private TimeSpan? expiresAt;

    public SimulatedGpu(GpuConfig config, SimClock clock, ProfileFile profiles, int fleetSeed)
    {
        Config = config;
        Clock = clock;
        this.profiles = profiles;
        Placement = Placement.For(config);
        Faults = new FaultState(config.Faults);
        slots = new SemaphoreSlim(config.Parallelism, config.Parallelism);
        noiseRandom = new Random(Noise.StreamSeed(fleetSeed, config.Id, "noise"));
        faultRandom = new Random(Noise.StreamSeed(fleetSeed, config.Id, "faults"));
        contentRandom = new Random(Noise.StreamSeed(fleetSeed, config.Id, "content"));
        FleetSeed = fleetSeed;
        loaded = config.Warm && Placement.Kind != PlacementKind.DoesNotFit;
    }

    public GpuConfig Config { get; }

    public string Id => Config.Id;

    public SimClock Clock { get; }

    public Placement Placement { get; }

    public FaultState Faults { get; }

    public int FleetSeed { get; }

    public int Waiting => Volatile.Read(ref waiting);

    public int InService => Volatile.Read(ref inService);

    public long JobsServed => Interlocked.Read(ref jobsServed);

    /// <summary>Simulated GPU-seconds held by jobs that ended without an answer (cancelled, abandoned, failed).</summary>
    public double AbandonedSeconds
    {
        get
        {
            lock (stateGate)
            {
                return abandonedSeconds;
            }
        }
    }

    public ActiveFault? CurrentFault => Faults.Current(Clock.SimNow);

    public bool IsDown => CurrentFault?.IsDown(Clock.SimNow) == true;

    public void ThrowIfDown()
    {
        if (IsDown)
        {
            throw new GpuDownException(Id);
        }
    }

    /// <summary>Whether the model is in VRAM now (evicting it lazily once its keep-alive has passed).</summary>
    public bool IsLoaded
    {
        get
        {
            lock (stateGate)
            {
                EvictIfExpired();
                return loaded;
            }
        }
    }

    /// <summary>When an idle loaded model will be unloaded (simulated time); null = never or not loaded.</summary>
    public TimeSpan? ExpiresAt
    {
        get
        {
            lock (stateGate)
            {
                EvictIfExpired();
                return loaded ? expiresAt : null;
            }
        }
    }

    public double BatchingSlowdown() => profiles.Batching.Slowdown(InService);

    /// <summary>A random value from the GPU's content stream (seeds, ids), deterministic under the fleet seed.</summary>
    public long NextContent(long maxExclusive)
    {
        lock (contentRandom)
        {
            return contentRandom.NextInt64(maxExclusive);
        }
    }

    /// <summary>Cold-load time of this GPU's model (simulated).</summary>
    public TimeSpan ColdLoadTime
    {
        get
        {
            var load = profiles.ColdLoad[Config.Runtime].SecondsFor(Config.Quant.SizeGB) * (Config.Profile.ColdLoadFactor ?? 1);
            return TimeSpan.FromSeconds(load);
        }
    }

    /// <summary>
    /// Admits a job: applies faults (down, hang, errors, oom), waits for a slot in the bounded queue and
    /// loads the model if it is cold. The caller then does its work on the lease and disposes it.
    /// </summary>
    public async Task<GpuLease> BeginAsync(JobDemand demand, CancellationToken ct)
    {
        ThrowIfDown();
        var fault = CurrentFault;
        var slow = 1.0;
        switch (fault?.Kind)
        {
            case FaultKinds.Hang:
            case FaultKinds.Stall when !demand.Streaming:
                await HangAsync(ct).ConfigureAwait(false);
                break;
            case FaultKinds.Errors when Draw(fault.Spec.Rate ?? 0):
                throw new SimulatedFailureException(FailureKind.PipelineError, "errors fault");
            case FaultKinds.Oom when TooLarge(fault.Spec, demand):
                throw new SimulatedFailureException(FailureKind.OutOfMemory, "oom fault: input too large");
            case FaultKinds.Slow:
                slow = fault.Spec.Factor ?? 1;
                break;
        }

        if (!slots.Wait(0))
        {
            if (Interlocked.Increment(ref waiting) > Config.QueueLimit)
            {
                Interlocked.Decrement(ref waiting);
                throw new SimulatedFailureException(FailureKind.QueueFull, $"queue full ({Config.QueueLimit} waiting)");
            }

            try
            {
                await slots.WaitAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref waiting);
            }
        }

        lock (stateGate)
        {
            EvictIfExpired();
            inService++;
            expiresAt = null;
        }

        double noise;
        lock (noiseRandom)
        {
            noise = Noise.Multiplier(noiseRandom, Config.NoiseCv);
        }

        var lease = new GpuLease(this, noise * slow * Placement.Slowdown, demand.KeepAlive, demand.Ollama);
        try
        {
            await LoadAsync(lease, ct).ConfigureAwait(false);
            return lease;
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Unloads the model now (Ollama: empty messages with keep_alive 0).</summary>
    public void Unload()
    {
        lock (stateGate)
        {
            if (inService == 0)
            {
                loaded = false;
                expiresAt = null;
            }
        }
    }

    internal void Release(GpuLease lease)
    {
        lock (stateGate)
        {
            if (!lease.Completed)
            {
                abandonedSeconds += Clock.ToSimulated(Clock.WallNow - lease.Started).TotalSeconds;
            }

            inService--;
            var keepAlive = lease.KeepAlive ?? Config.KeepAlive ?? (lease.Ollama ? OllamaDefaultKeepAlive : global::LivepeerAspire.Runner.Simulated.Fleet.KeepAlive.Forever);
            if (loaded && inService == 0)
            {
                expiresAt = keepAlive == global::LivepeerAspire.Runner.Simulated.Fleet.KeepAlive.Forever ? null : Clock.SimNow + keepAlive;
                EvictIfExpired();
            }
        }

        if (lease.Completed)
        {
            Interlocked.Increment(ref jobsServed);
        }

        slots.Release();
    }

    private async Task LoadAsync(GpuLease lease, CancellationToken ct)
    {
        if (Placement.Kind == PlacementKind.DoesNotFit)
        {
            throw new SimulatedFailureException(
                FailureKind.ModelDoesNotFit,
                $"model needs {Placement.VramNeedGB:0.0} GiB of VRAM, the GPU has {Placement.VramGB:0.0} GiB");
        }

        await loadLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (IsLoaded)
            {
                lease.LoadDuration = TimeSpan.FromSeconds(profiles.WarmLoadSeconds.Value);
            }
            else
            {
                lease.LoadDuration = ColdLoadTime;
            }

            await lease.AdvanceAsync(lease.LoadDuration, ct).ConfigureAwait(false);
            lock (stateGate)
            {
                loaded = true;
            }
        }
        finally
        {
            loadLock.Release();
        }
    }

    private void EvictIfExpired()
    {
        if (loaded && expiresAt is { } at && Clock.SimNow >= at)
        {
            loaded = false;
            expiresAt = null;
        }
    }

    private bool Draw(double rate)
    {
        lock (faultRandom)
        {
            return faultRandom.NextDouble() < rate;
        }
    }

    private static bool TooLarge(Fleet.FaultSpec spec, JobDemand demand) =>
        demand.Pixels > (spec.MaxPixels ?? FaultKinds.DefaultOomMaxPixels)
        || demand.Tokens > (spec.MaxTokens ?? FaultKinds.DefaultOomMaxTokens)
        || demand.AudioSeconds > (spec.MaxAudioSeconds ?? FaultKinds.DefaultOomMaxAudioSeconds);

    /// <summary>Never completes normally: only cancellation (client gone) or a crash ends it.</summary>
    internal async Task HangAsync(CancellationToken ct)
    {
        await Clock.WaitUntilAsync(DateTimeOffset.MaxValue, ThrowIfDown, ct).ConfigureAwait(false);
    }
}
