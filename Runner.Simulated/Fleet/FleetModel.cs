using System.Text.Json;

namespace LivepeerAspire.Runner.Simulated.Fleet;

/// <summary>The fleet file named by <c>Simulator:FleetFile</c> (schema in docs/simulator.md).</summary>
public sealed class FleetFile
{
    public double? TimeScale { get; init; }
    public int? Seed { get; init; }
    /// <summary>Coefficient of variation of service times (default 0.1).</summary>
    public double? NoiseCv { get; init; }
    public required List<GpuSpec> Gpus { get; init; }
}

public sealed class GpuSpec
{
    public required string Id { get; init; }
    public required string Profile { get; init; }
    public required string Pipeline { get; init; }
    /// <summary>Absent: the pipeline's go-livepeer default model.</summary>
    public string? ModelId { get; init; }
    /// <summary>Loaded at start (true, the default) or on the first request (false).</summary>
    public bool? Warm { get; init; }
    /// <summary>Jobs served at once (Ollama's OLLAMA_NUM_PARALLEL; default 1).</summary>
    public int? Parallelism { get; init; }
    /// <summary>Jobs allowed to wait for a slot; one more is refused (default 64).</summary>
    public int? QueueLimit { get; init; }
    /// <summary>Serve a model that does not fit in VRAM with CPU offload, where the profile allows it.</summary>
    public bool? CpuOffload { get; init; }
    /// <summary>A key of the model's quantizations (q4_k_m, q4_0, q8_0, f16, fp16).</summary>
    public string? Quantization { get; init; }
    /// <summary>Ollama-style keep-alive ("5m", seconds, -1 = forever) after which an idle model is unloaded.</summary>
    public JsonElement? KeepAlive { get; init; }
    public double? NoiseCv { get; init; }
    /// <summary>When set, generate routes need <c>Authorization: Bearer &lt;token&gt;</c> (aiModels.json "token").</summary>
    public string? AuthToken { get; init; }
    public List<FaultSpec>? Faults { get; init; }
}

/// <summary>
/// A fault, scripted in the fleet file (with atSeconds/forSeconds in simulated seconds) or posted to the
/// admin API. Only the members of its kind may be set.
/// </summary>
public sealed class FaultSpec
{
    public required string Kind { get; init; }
    public double? Factor { get; init; }
    public double? Rate { get; init; }
    public double? PeriodSeconds { get; init; }
    public int? AfterTokens { get; init; }
    public long? MaxPixels { get; init; }
    public int? MaxTokens { get; init; }
    public double? MaxAudioSeconds { get; init; }
    public double? AtSeconds { get; init; }
    public double? ForSeconds { get; init; }
}
