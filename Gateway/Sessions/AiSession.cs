using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Gateway.Sessions;

/// <summary>
/// One orchestrator in one (capability, model) pool: go-livepeer's BroadcastSession/AISession. Holds the latest
/// OrchestratorInfo, the discovery round trip (InitialLatency), the last latency score (seconds per unit) and what
/// this gateway currently has in flight there.
/// </summary>
public sealed class AiSession
{
    private readonly Lock gate = new();
    private int inFlight;
    private double inFlightWork;

    public AiSession(DiscoveredOrchestrator found, Pipeline pipeline, string modelId, bool warm)
    {
        Pipeline = pipeline;
        ModelId = modelId;
        Key = found.Key;
        ServiceUri = found.ServiceUri;
        Info = found.Info;
        InitialLatency = found.Latency;
        InitialPrice = found.Info.PriceInfo;
        Warm = warm;
    }

    public Pipeline Pipeline { get; }

    public string ModelId { get; }

    /// <summary>Canonical service URI, the identity of the orchestrator in pools, suspensions and metrics.</summary>
    public string Key { get; }

    public Uri ServiceUri { get; private set; }

    public OrchestratorInfo Info { get; private set; }

    public TimeSpan InitialLatency { get; private set; }

    public PriceInfo? InitialPrice { get; private set; }

    public bool Warm { get; private set; }

    /// <summary>go-livepeer's AI latency score of the last job (seconds per unit; 0 = never used).</summary>
    public double LatencyScore { get; set; }

    public string Address => Info.Address.IsEmpty ? "" : "0x" + Convert.ToHexStringLower(Info.Address.Span);

    /// <summary>Advertised capacity for this (pipeline, model); at least 1.</summary>
    public int Capacity => (int)Math.Max(1, CapabilityRequest.Model(Info, Pipeline, ModelId)?.Capacity ?? 1);

    /// <summary>Wei per unit (price_info.pricePerUnit / pixelsPerUnit); null when the orchestrator sent no usable price.</summary>
    public BigRational? PricePerUnit =>
        Info.PriceInfo is { PixelsPerUnit: > 0, PricePerUnit: >= 0 } p ? new BigRational(p.PricePerUnit, p.PixelsPerUnit) : null;

    public int InFlight => Volatile.Read(ref inFlight);

    public double InFlightWork
    {
        get
        {
            lock (gate)
            {
                return inFlightWork;
            }
        }
    }

    public void Update(DiscoveredOrchestrator found, bool warm)
    {
        lock (gate)
        {
            ServiceUri = found.ServiceUri;
            Info = found.Info;
            InitialLatency = found.Latency;
            InitialPrice = found.Info.PriceInfo;
            Warm = warm;
        }
    }

    public void Begin(double work)
    {
        lock (gate)
        {
            inFlight++;
            inFlightWork += work;
        }
    }

    public void End(double work)
    {
        lock (gate)
        {
            inFlight = Math.Max(0, inFlight - 1);
            inFlightWork = Math.Max(0, inFlightWork - work);
        }
    }
}
