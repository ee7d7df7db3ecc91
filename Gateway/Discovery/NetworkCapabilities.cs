using System.Text.Json.Serialization;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Discovery;

/// <summary>
/// GET /getNetworkCapabilities in go-livepeer's shape (common.NetworkCapabilities: <c>capabilities_names</c> and per
/// orchestrator <c>address</c>, <c>local_address</c>, <c>orch_uri</c>, <c>capabilities</c>, <c>price_info</c>,
/// <c>capabilities_prices</c>, <c>hardware</c>), so tools written for go-livepeer read it. This project's extras
/// (<c>latency_ms</c>, <c>models</c> with capacity in use and prices) sit alongside.
/// </summary>
public sealed record NetworkCapabilities(List<NetworkOrchestrator> Orchestrators)
{
    /// <summary>go-livepeer's capability names for the AI capabilities, keyed by capability id.</summary>
    public IReadOnlyDictionary<string, string> CapabilitiesNames { get; } = Names;

    private static readonly Dictionary<string, string> Names = PipelineCatalog.All.ToDictionary(
        p => p.CapabilityId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        p => char.ToUpperInvariant(p.Name[0]) + p.Name[1..].Replace('-', ' '));
}

public sealed record NetworkOrchestrator(
    string Address,
    string LocalAddress,
    [property: JsonPropertyName("orch_uri")] string OrchUri,
    NetworkCapabilitySet? Capabilities,
    NetworkPrice? PriceInfo,
    List<NetworkPrice> CapabilitiesPrices,
    List<NetworkHardware> Hardware,
    double LatencyMs,
    List<NetworkModel> Models);

/// <summary>net.Capabilities as go-livepeer's JSON writes it (the protobuf fields' JSON tags).</summary>
public sealed record NetworkCapabilitySet(
    List<ulong> Bitstring,
    List<ulong> Mandatories,
    Dictionary<string, uint> Capacities,
    string Version,
    NetworkConstraints Constraints);

public sealed record NetworkConstraints(
    [property: JsonPropertyName("minVersion")] string MinVersion,
    [property: JsonPropertyName("PerCapability")] Dictionary<string, NetworkCapabilityConstraints> PerCapability);

public sealed record NetworkCapabilityConstraints(Dictionary<string, NetworkModelConstraint> Models);

public sealed record NetworkModelConstraint(bool Warm, uint Capacity, string RunnerVersion, uint CapacityInUse);

/// <summary>net.PriceInfo with go-livepeer's JSON names.</summary>
public sealed record NetworkPrice(
    [property: JsonPropertyName("pricePerUnit")] long PricePerUnit,
    [property: JsonPropertyName("pixelsPerUnit")] long PixelsPerUnit,
    [property: JsonPropertyName("capability")] uint Capability,
    [property: JsonPropertyName("constraint")] string Constraint);

/// <summary>net.HardwareInformation: the GPUs behind one (pipeline, model), as the runner's /hardware/info reports them.</summary>
public sealed record NetworkHardware(string Pipeline, string ModelId, Dictionary<string, NetworkGpu> GpuInfo);

public sealed record NetworkGpu(string Id, string Name, long MemoryTotal, long MemoryFree, uint Major, uint Minor);

/// <summary>This project's flattened view of one served model. Price as capabilities_prices has it: whole wei per <c>pixels_per_unit</c> units.</summary>
public sealed record NetworkModel(
    string Pipeline,
    string ModelId,
    bool Warm,
    int Capacity,
    int CapacityInUse,
    long PricePerUnit,
    long PixelsPerUnit,
    string? RunnerVersion);

public static class NetworkCapabilitiesBuilder
{
    public static NetworkOrchestrator From(DiscoveredOrchestrator found)
    {
        var info = found.Info;
        var models = new List<NetworkModel>();
        foreach (var (pipeline, modelId, constraint) in CapabilityRequest.Models(info))
        {
            var price = PriceFor(info, pipeline, modelId);
            models.Add(new NetworkModel(
                pipeline.Name,
                modelId,
                constraint.Warm,
                (int)Math.Max(1, constraint.Capacity),
                (int)constraint.CapacityInUse,
                price?.PricePerUnit ?? 0,
                price?.PixelsPerUnit ?? 1,
                string.IsNullOrEmpty(constraint.RunnerVersion) ? null : constraint.RunnerVersion));
        }

        return new NetworkOrchestrator(
            info.Address.IsEmpty ? "" : "0x" + Convert.ToHexStringLower(info.Address.Span),
            found.DiscoveryUrl.ToString(),
            string.IsNullOrEmpty(info.Transcoder) ? found.DiscoveryUrl.ToString() : info.Transcoder,
            info.Capabilities is { } caps ? CapabilitySet(caps) : null,
            info.PriceInfo is { } general ? Price(general) : null,
            info.CapabilitiesPrices.Select(Price).ToList(),
            info.Hardware.Select(h => new NetworkHardware(
                h.Pipeline,
                h.ModelId,
                h.GpuInfo.ToDictionary(g => g.Key, g => new NetworkGpu(g.Value.Id, g.Value.Name, g.Value.MemoryTotal, g.Value.MemoryFree, g.Value.Major, g.Value.Minor)))).ToList(),
            Math.Round(found.Latency.TotalMilliseconds, 3),
            models);
    }

    private static NetworkPrice Price(PriceInfo p) => new(p.PricePerUnit, p.PixelsPerUnit, p.Capability, p.Constraint);

    private static NetworkCapabilitySet CapabilitySet(Capabilities caps)
    {
        static string Key(uint id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var constraints = caps.Constraints;
        return new NetworkCapabilitySet(
            [.. caps.Bitstring],
            [.. caps.Mandatories],
            caps.Capacities.ToDictionary(c => Key(c.Key), c => c.Value),
            caps.Version,
            new NetworkConstraints(
                constraints?.MinVersion ?? "",
                constraints?.PerCapability.ToDictionary(
                    c => Key(c.Key),
                    c => new NetworkCapabilityConstraints(c.Value.Models.ToDictionary(
                        m => m.Key,
                        m => new NetworkModelConstraint(m.Value.Warm, m.Value.Capacity, m.Value.RunnerVersion, m.Value.CapacityInUse)))) ?? []));
    }

    /// <summary>The per-(capability, model) price from capabilities_prices; "default" applies to any model.</summary>
    public static PriceInfo? PriceFor(OrchestratorInfo info, Pipeline pipeline, string modelId)
    {
        var cap = (uint)pipeline.CapabilityId;
        return info.CapabilitiesPrices.FirstOrDefault(p => p.Capability == cap && p.Constraint == modelId)
            ?? info.CapabilitiesPrices.FirstOrDefault(p => p.Capability == cap && p.Constraint is "default" or "");
    }
}
