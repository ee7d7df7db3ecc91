namespace LivepeerAspire.AppHost.Hosting;

/// <summary>What the dashboard's network view needs to know about a composed Livepeer network.</summary>
public sealed record NetworkMap(
    string? GatewayResource,
    string? SimulatorResource,
    IReadOnlyList<NetworkOrchestrator> Orchestrators,
    string? TopologyName,
    double? TimeScale);

public sealed record NetworkOrchestrator(
    string Name,
    string ResourceName,
    string? Stake,
    IReadOnlyList<NetworkGpu> Gpus);

public sealed record NetworkGpu(
    string Id,
    string Profile,
    string Pipeline,
    string ModelId,
    bool Warm,
    int Capacity,
    string PricePerUnit,
    string PixelsPerUnit,
    string Currency,
    string RunnerKind,
    string RunnerUrl);
