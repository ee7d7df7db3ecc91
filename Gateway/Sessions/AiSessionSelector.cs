using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Sessions;

/// <summary>
/// go-livepeer's AISessionSelector for one (capability, model): a warm pool tried before a cold pool, a shared
/// suspender with penalty 3, refresh (a discovery round with this capability) when the pools run low or their TTL
/// passed, and release of every suspension when both pools are empty.
/// </summary>
public sealed class AiSessionSelector
{
    public const int Penalty = 3;
    private const int MaxRefreshSessionsThreshold = 8;
    private readonly OrchestratorDiscovery discovery;
    private readonly TimeProvider time;
    private readonly TimeSpan ttl;
    private readonly SemaphoreSlim refreshLock = new(1, 1);
    private DateTimeOffset lastRefresh = DateTimeOffset.MinValue;
    private int initialPoolSize;

    public AiSessionSelector(Pipeline pipeline, string modelId, OrchestratorDiscovery discovery, TimeProvider time, TimeSpan ttl)
    {
        Pipeline = pipeline;
        ModelId = modelId;
        this.discovery = discovery;
        this.time = time;
        this.ttl = ttl;
    }

    public Pipeline Pipeline { get; }

    public string ModelId { get; }

    public AiSessionPool WarmPool { get; } = new(warm: true);

    public AiSessionPool ColdPool { get; } = new(warm: false);

    public Suspender Suspender { get; } = new();

    public DateTimeOffset LastRefresh => lastRefresh;

    public int Refreshes { get; private set; }

    /// <summary>Refreshes when go-livepeer would: low pools (fewer than min(8, ⌈min(known, initial)/2⌉)) or TTL.</summary>
    public async Task EnsureFreshAsync(int knownOrchestrators, CancellationToken cancellationToken)
    {
        if (WarmPool.Count + ColdPool.Count == 0)
        {
            for (var i = 0; i < Penalty; i++)
            {
                Suspender.SignalRefresh();
            }
        }

        if (!NeedsRefresh(knownOrchestrators))
        {
            return;
        }

        await refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (NeedsRefresh(knownOrchestrators))
            {
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            refreshLock.Release();
        }
    }

    public bool NeedsRefresh(int knownOrchestrators)
    {
        var size = WarmPool.Count + ColdPool.Count;
        var threshold = Math.Min(MaxRefreshSessionsThreshold, (int)Math.Ceiling(Math.Min(knownOrchestrators, initialPoolSize) / 2.0));
        return size < threshold || lastRefresh == DateTimeOffset.MinValue || time.GetUtcNow() > lastRefresh + ttl;
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        Suspender.SignalRefresh();
        var found = await discovery.DiscoverAsync(CapabilityRequest.For(Pipeline, ModelId), Suspender.Suspended, cancellationToken)
            .ConfigureAwait(false);
        Apply(found);
    }

    /// <summary>Puts discovered orchestrators into the warm or cold pool (suspended ones and ones without the model are skipped).</summary>
    public void Apply(IReadOnlyList<DiscoveredOrchestrator> found)
    {
        foreach (var orchestrator in found)
        {
            var model = CapabilityRequest.Model(orchestrator.Info, Pipeline, ModelId);
            if (model is null || Suspender.Suspended(orchestrator.Key) > 0)
            {
                continue;
            }

            var (into, other) = model.Warm ? (WarmPool, ColdPool) : (ColdPool, WarmPool);
            var existing = into.Get(orchestrator.Key) ?? other.Get(orchestrator.Key);
            other.Remove(orchestrator.Key);
            if (existing is null)
            {
                into.AddOrUpdate(new AiSession(orchestrator, Pipeline, ModelId, model.Warm));
            }
            else
            {
                existing.Update(orchestrator, model.Warm);
                into.AddOrUpdate(existing);
            }
        }

        initialPoolSize = WarmPool.Count + ColdPool.Count + Suspender.SuspendedCount;
        lastRefresh = time.GetUtcNow();
        Refreshes++;
    }

    public IReadOnlyList<string> SuspendedKeys() => Suspender.Keys;

    /// <summary>go-livepeer's Remove: out of the pools and suspended for <see cref="Penalty"/> refreshes.</summary>
    public void Remove(AiSession session)
    {
        WarmPool.Remove(session.Key);
        ColdPool.Remove(session.Key);
        Suspender.Suspend(session.Key, Penalty);
    }
}
