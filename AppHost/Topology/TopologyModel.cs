using System.Text.Json;

namespace LivepeerAspire.AppHost.Topology;

/// <summary>A network description read from a topology file (schema in docs/apphost.md).</summary>
public sealed record TopologySpec
{
    public required string File { get; init; }

    public string Name { get; init; } = "topology";

    public string? Description { get; init; }

    public double TimeScale { get; init; } = 1.0;

    public int Seed { get; init; } = 42;

    public int? SimulatorPort { get; init; }

    public required GatewaySpec Gateway { get; init; }

    public required IReadOnlyList<OrchestratorSpec> Orchestrators { get; init; }

    public IReadOnlyList<ExtraResourceSpec> Resources { get; init; } = [];

    /// <summary>Probabilistic micropayments on a ledger (<c>"payments": true</c> or an object); null = off-chain.</summary>
    public PaymentsSpec? Payments { get; init; }
}

public sealed record GatewaySpec
{
    /// <summary>Fixed port (9935 by default); 0 for any free port.</summary>
    public int Port { get; init; } = 9935;

    public string? Strategy { get; init; }

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary><c>"auth"</c>: API keys, budgets, rate limits and usage records; null = an open gateway.</summary>
    public GatewayAccessSpec? Access { get; init; }
}

public sealed record OrchestratorSpec
{
    public required string Name { get; init; }

    /// <summary>JSON path of this orchestrator in the file, for error messages.</summary>
    public required string Path { get; init; }

    public string? Stake { get; init; }

    public int? Port { get; init; }

    public int Replicas { get; init; } = 1;

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public required IReadOnlyList<GpuSpec> Gpus { get; init; }
}

public enum RunnerKind
{
    Simulated,
    Ollama,
    External,
    Container,
}

public sealed record GpuSpec
{
    public required string Path { get; init; }

    public string? Profile { get; init; }

    public required string Pipeline { get; init; }

    public required string Model { get; init; }

    public bool Warm { get; init; } = true;

    public int Capacity { get; init; } = 1;

    /// <summary>Raw JSON number text, so big wei prices and fractions stay exact.</summary>
    public string PricePerUnit { get; init; } = "0";

    public string PixelsPerUnit { get; init; } = "1";

    public string Currency { get; init; } = "wei";

    public RunnerKind Runner { get; init; } = RunnerKind.Simulated;

    /// <summary>External runner: the ai-runner's URL; Ollama runner: a real Ollama's URL (absent: the simulator's Ollama API).</summary>
    public Uri? Url { get; init; }

    /// <summary>Served by the simulator: a simulated GPU, or an Ollama shim in front of the simulator's Ollama API.</summary>
    public bool IsSimulated => Runner == RunnerKind.Simulated || (Runner == RunnerKind.Ollama && Url is null);

    public string? Image { get; init; }

    public int ContainerPort { get; init; } = 8000;

    /// <summary>aiModels.json optimization_flags: a container runner gets each as an environment variable, as go-livepeer passes them.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> OptimizationFlags { get; init; } = [];

    /// <summary>Further environment of a container runner (e.g. the simulated image's Simulator__Gpu, Ollama's OLLAMA_KEEP_ALIVE).</summary>
    public IReadOnlyDictionary<string, string> ContainerEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>A container runner's GPU request: "all" or device indexes ("0,1"); docker --gpus, podman --device (CDI).</summary>
    public string? ContainerGpus { get; init; }

    /// <summary>A container runner's volumes, e.g. model weights mounted at /models.</summary>
    public IReadOnlyList<ContainerVolume> Volumes { get; init; } = [];

    /// <summary>A container runner's <c>startTimeout</c>, when the topology sets one.</summary>
    public TimeSpan? ConfiguredStartTimeout { get; init; }

    /// <summary>
    /// How long the orchestrator waits for its runner container to answer <c>/health</c> before the container is stopped
    /// and the orchestrator fails: go-livepeer's containerTimeout (3 min), or optFlagsContainerTimeout (5 min) when
    /// optimization flags are set, unless the topology says otherwise.
    /// </summary>
    public TimeSpan StartTimeout => ConfiguredStartTimeout ?? TimeSpan.FromMinutes(OptimizationFlags.Count > 0 ? 5 : 3);

    /// <summary>Fault specs copied verbatim into the fleet file (the simulator validates them).</summary>
    public IReadOnlyList<JsonElement> Faults { get; init; } = [];

    /// <summary>Other per-GPU simulator fields (parallelism, queueLimit, cpuOffload, quantization), copied verbatim.</summary>
    public IReadOnlyDictionary<string, JsonElement> SimulatorFields { get; init; } = new Dictionary<string, JsonElement>();
}

/// <summary>A host path (bind mount) or a named volume, mounted at <paramref name="Target"/>.</summary>
public sealed record ContainerVolume(string Source, string Target, bool IsHostPath, bool ReadOnly);

public sealed record ExtraResourceSpec
{
    public required string Name { get; init; }

    public required string Path { get; init; }

    /// <summary>"executable" or "container".</summary>
    public required string Kind { get; init; }

    public string? Command { get; init; }

    public string? Image { get; init; }

    public IReadOnlyList<string> Args { get; init; } = [];

    public int? Port { get; init; }

    public int? TargetPort { get; init; }

    /// <summary>"http" (GET /health), "tcp" (connect) or "none".</summary>
    public string Health { get; init; } = "tcp";

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

/// <summary>A topology the AppHost refuses, with the file, the JSON path and the reason.</summary>
public sealed class TopologyException(string file, string path, string reason) : Exception($"{file}: {path}: {reason}")
{
    public string File { get; } = file;

    public string JsonPath { get; } = path;

    public string Reason { get; } = reason;
}
