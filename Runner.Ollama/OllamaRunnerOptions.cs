using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Runner.Ollama;

/// <summary>Bound from the <c>OllamaRunner</c> configuration section.</summary>
public sealed class OllamaRunnerOptions
{
    public const string Section = "OllamaRunner";

    /// <summary>Ollama base URL; may carry a path prefix (Runner.Simulated's <c>/gpus/{id}/ollama</c>).</summary>
    public string BaseUrl { get; set; } = "http://127.0.0.1:11434";

    /// <summary>The Hugging Face id this runner serves and reports (aiModels.json <c>model_id</c>).</summary>
    public string ModelId { get; set; } = PipelineCatalog.Llm.DefaultModelId;

    /// <summary>Ollama tag to run; overrides the mapping of <see cref="ModelId"/> when set.</summary>
    public string? OllamaModel { get; set; }

    /// <summary>HF id → Ollama tag entries added to (or replacing) the built-in table.</summary>
    public Dictionary<string, string> ModelMap { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>When set, /llm requires <c>Authorization: Bearer &lt;Token&gt;</c> (aiModels.json <c>token</c>).</summary>
    public string? Token { get; set; }

    /// <summary>Ollama keep_alive sent with every chat: a number of seconds or a duration string; -1 keeps the model loaded.</summary>
    public string KeepAlive { get; set; } = "-1";

    /// <summary>Reported by /version; the ai-runner API release this shim implements.</summary>
    public string Version { get; set; } = "0.14.1";

    /// <summary>Per-call timeout of the Ollama probe behind /health (go-livepeer gives /health 5 s).</summary>
    public TimeSpan HealthProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Load the model into Ollama at start (an empty chat); /health says LOADING meanwhile.</summary>
    public bool WarmOnStart { get; set; } = true;

    /// <summary>Pull the tag at start when Ollama does not have it; /health says LOADING meanwhile.</summary>
    public bool PullMissingModel { get; set; }

    /// <summary>Optional GPU description for /hardware/info (the shim cannot query NVML).</summary>
    public string? GpuName { get; set; }

    public long GpuMemoryTotal { get; set; }
}
