using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Runner.Simulated.Profiles;

namespace LivepeerAspire.Runner.Simulated.Fleet;

/// <summary>A validated fleet: the file's settings with options applied and every GPU resolved against the profiles.</summary>
public sealed record FleetConfig(
    string Source,
    double TimeScale,
    int Seed,
    ProfileCatalog Profiles,
    IReadOnlyList<GpuConfig> Gpus);

/// <summary>One GPU with its profile, model and quantisation looked up.</summary>
public sealed record GpuConfig(
    string Id,
    GpuProfile Profile,
    Pipeline Pipeline,
    string ModelId,
    ModelEntry Model,
    string Quantization,
    QuantizationEntry Quant,
    string Runtime,
    bool Warm,
    int Parallelism,
    int QueueLimit,
    bool CpuOffload,
    TimeSpan? KeepAlive,
    double NoiseCv,
    string? AuthToken,
    IReadOnlyList<FaultSpec> Faults);
