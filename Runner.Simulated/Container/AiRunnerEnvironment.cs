using System.Globalization;
using LivepeerAspire.Runner.Simulated.Fleet;

namespace LivepeerAspire.Runner.Simulated.Container;

/// <summary>
/// The real <c>livepeer/ai-runner</c> image's contract, so the simulator's image is started the same way: <c>PIPELINE</c>
/// and <c>MODEL_ID</c> select the one pipeline and model served at the root (<c>/health</c>, <c>/text-to-image</c>, …),
/// <c>HOST</c>/<c>PORT</c> (default 0.0.0.0:8000) where it listens, <c>AUTH_TOKEN</c> the bearer token. go-livepeer passes
/// aiModels.json <c>optimization_flags</c> as further environment variables; they change nothing in a simulation and
/// are logged at start so an operator (and a test) can see they arrived. <c>Simulator__Gpu</c> names the simulated GPU
/// profile (default RTX 4090), the one thing a real runner learns from its hardware instead.
/// </summary>
public sealed record AiRunnerEnvironment(string Pipeline, string? ModelId, string Profile, string? AuthToken, string Host, int Port,
    IReadOnlyList<KeyValuePair<string, string>> OptimizationFlags)
{
    /// <summary>The one GPU's id; the root routes are served as <c>/gpus/0/…</c>.</summary>
    public const string GpuId = "0";

    public const string DefaultProfile = "RTX 4090";

    /// <summary>The environment variables ai-runner reads as optimisation flags (ai-runner's app and pipelines, vLLM's runner).</summary>
    private static readonly string[] FlagNames =
    [
        "SFAST", "DEEPCACHE", "SFAST_WARMUP", "SAFETY_CHECKER_DEVICE", "BFLOAT16", "TORCH_COMPILE", "BACKEND",
        "USE_8BIT", "USE_4BIT", "MAX_MODEL_LEN", "MAX_NUM_BATCHED_TOKENS", "MAX_NUM_SEQS", "GPU_MEMORY_UTILIZATION",
        "TENSOR_PARALLEL_SIZE", "PIPELINE_PARALLEL_SIZE",
    ];

    /// <summary>Null unless <c>PIPELINE</c> is set: without it the process is the multi-GPU simulator.</summary>
    public static AiRunnerEnvironment? From(IConfiguration configuration)
    {
        var pipeline = configuration["PIPELINE"];
        if (string.IsNullOrWhiteSpace(pipeline))
        {
            return null;
        }

        var portText = configuration["PORT"];
        var port = 8000;
        if (!string.IsNullOrEmpty(portText) && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            throw new ConfigFileException("environment", "PORT", $"'{portText}' is not a TCP port (1-65535)");
        }

        var flags = FlagNames.Where(n => !string.IsNullOrEmpty(configuration[n])).Select(n => KeyValuePair.Create(n, configuration[n]!)).ToList();
        return new AiRunnerEnvironment(
            pipeline.Trim(),
            string.IsNullOrWhiteSpace(configuration["MODEL_ID"]) ? null : configuration["MODEL_ID"]!.Trim(),
            configuration[$"{SimulatorOptions.SectionName}:Gpu"] is { Length: > 0 } gpu ? gpu : DefaultProfile,
            string.IsNullOrEmpty(configuration["AUTH_TOKEN"]) ? null : configuration["AUTH_TOKEN"],
            string.IsNullOrEmpty(configuration["HOST"]) ? "0.0.0.0" : configuration["HOST"]!,
            port,
            flags);
    }

    /// <summary>A one-GPU fleet, checked like a fleet file; a bad PIPELINE or MODEL_ID stops the runner as ai-runner does.</summary>
    public FleetFile ToFleet() => new()
    {
        Gpus = [new GpuSpec { Id = GpuId, Profile = Profile, Pipeline = Pipeline, ModelId = ModelId, Warm = true, AuthToken = AuthToken }],
    };

    /// <summary>The name refusals are reported under, instead of a fleet file's path.</summary>
    public const string SourceName = "environment (PIPELINE, MODEL_ID, Simulator__Gpu)";

    public string Url => $"http://{(Host is "0.0.0.0" or "" ? "*" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
