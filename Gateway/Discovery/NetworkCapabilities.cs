using System.Text.Json.Serialization;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Discovery;

/// <summary>GET /getNetworkCapabilities: every orchestrator with each pipeline/model it serves.</summary>
public sealed record NetworkCapabilities(List<NetworkOrchestrator> Orchestrators);

public sealed record NetworkOrchestrator(
    string Address,
    [property: JsonPropertyName("orch_uri")] string OrchUri,
    double LatencyMs,
    List<NetworkModel> Models);

/// <summary>Price as go-livepeer's capabilities_prices has it: whole wei per <c>pixels_per_unit</c> units.</summary>
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
            string.IsNullOrEmpty(info.Transcoder) ? found.DiscoveryUrl.ToString() : info.Transcoder,
            Math.Round(found.Latency.TotalMilliseconds, 3),
            models);
    }

    /// <summary>The per-(capability, model) price from capabilities_prices; "default" applies to any model.</summary>
    public static PriceInfo? PriceFor(OrchestratorInfo info, Pipeline pipeline, string modelId)
    {
        var cap = (uint)pipeline.CapabilityId;
        return info.CapabilitiesPrices.FirstOrDefault(p => p.Capability == cap && p.Constraint == modelId)
            ?? info.CapabilitiesPrices.FirstOrDefault(p => p.Capability == cap && p.Constraint is "default" or "");
    }
}
