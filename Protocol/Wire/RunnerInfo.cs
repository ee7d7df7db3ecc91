namespace LivepeerAspire.Protocol.Wire;

/// <summary>ai-runner /health: OK, LOADING, ERROR or IDLE.</summary>
public sealed record HealthCheck(string Status)
{
    public const string Ok = "OK";
    public const string Loading = "LOADING";
    public const string Error = "ERROR";
    public const string Idle = "IDLE";
}

public sealed record GpuComputeInfo(string Id, string Name, long MemoryTotal, long MemoryFree, int Major, int Minor);

/// <summary>ai-runner /hardware/info; gpu_info is keyed by device index.</summary>
public sealed record HardwareInformation(string Pipeline, string ModelId, Dictionary<string, GpuComputeInfo> GpuInfo);

public sealed record GpuUtilizationInfo(
    string Id, string Name, long MemoryTotal, long MemoryFree, int UtilizationCompute, int UtilizationMemory);

public sealed record HardwareStats(string Pipeline, string ModelId, Dictionary<string, GpuUtilizationInfo> GpuStats);

/// <summary>ai-runner /version; <see cref="Progress"/> is this project's proposed extension (absent = no progress).</summary>
public sealed record RunnerVersion(string Pipeline, string ModelId, string Version)
{
    public RunnerProgressSupport? Progress { get; init; }
}

/// <summary>The runner streams per-step progress (unit "step") with a preview every <see cref="PreviewEvery"/> steps (0 = none).</summary>
public sealed record RunnerProgressSupport(string Unit, int PreviewEvery);
