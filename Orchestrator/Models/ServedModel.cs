using LivepeerAspire.Orchestrator.Runners;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Orchestrator.Models;

/// <summary>A (pipeline, model) this orchestrator serves: its runners, warm flag and prices per gateway.</summary>
public sealed class ServedModel
{
    private readonly Dictionary<string, BigRational> _prices;
    private long _served;

    public ServedModel(Pipeline pipeline, string modelId, IReadOnlyList<ModelEntry> entries)
    {
        Pipeline = pipeline;
        ModelId = modelId;
        Warm = entries.Any(e => e.Warm);
        Runners = entries.Select(e => new RunnerEndpoint(e)).ToList();
        _prices = entries.Where(e => e.Priced).GroupBy(e => e.Gateway).ToDictionary(g => g.Key, g => g.First().WeiPerUnit, StringComparer.Ordinal);
    }

    public Pipeline Pipeline { get; }
    public string ModelId { get; }
    public bool Warm { get; }
    public IReadOnlyList<RunnerEndpoint> Runners { get; }
    public int Capacity => Runners.Sum(r => r.Capacity);

    /// <summary>Slots of the runners that are not known to be unhealthy: what discovery advertises.</summary>
    public int AdvertisedCapacity => Runners.Where(r => r.State != RunnerState.Unhealthy).Sum(r => r.Capacity);
    public int InUse => Runners.Sum(r => r.InUse);
    public string ManifestId => Pipeline.ManifestId(ModelId);
    public long JobsServed => Interlocked.Read(ref _served);

    public void CountServed() => Interlocked.Increment(ref _served);

    /// <summary>The lowest version among ready runners (go-livepeer advertises the lowest), "" before any is ready.</summary>
    public string RunnerVersion =>
        Runners.Where(r => r.State == RunnerState.Ready).Select(r => r.Version).OrderBy(v => v, SemverComparer.Instance).FirstOrDefault() ?? "";

    /// <summary>Pay per progress is offered when every ready runner reports per-step progress (and one is ready).</summary>
    public bool OffersProgress
    {
        get
        {
            var ready = Runners.Where(r => r.State == RunnerState.Ready).ToList();
            return ready.Count > 0 && ready.All(r => r.Progress);
        }
    }

    /// <summary>Wei per unit for a gateway (lower-case 0x address), falling back to the "default" price; null when unpriced.</summary>
    public BigRational? PriceFor(string? gateway) =>
        gateway is not null && _prices.TryGetValue(gateway, out var specific) ? specific
        : _prices.TryGetValue(AiModelsLoader.DefaultGateway, out var price) ? price
        : null;

    /// <summary>Reserves a slot on the ready runner with the most free slots; null when all are busy or starting.</summary>
    public RunnerLease? TryReserve()
    {
        foreach (var runner in Runners.Where(r => r.State == RunnerState.Ready).OrderByDescending(r => r.Capacity - r.InUse))
        {
            if (runner.TryTake())
            {
                return new RunnerLease(runner);
            }
        }

        return null;
    }
}
