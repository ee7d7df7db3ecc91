using System.Text.Json;
using System.Text.Json.Nodes;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>One GPU as far as capacity planning and fault injection care; <see cref="Id"/> is the simulator's GPU id.</summary>
public sealed record GpuInfo(string Id, string Orchestrator, string Profile, string Pipeline, string ModelId, int Parallelism, string Runner, string? Url = null)
{
    /// <summary>Simulated and Ollama-shim GPUs live in the simulator, so they can be faulted and probed there.</summary>
    public bool InSimulator => Runner is "simulated" or "ollama";
}

/// <summary>
/// What the load tests need from an AppHost topology file (docs/apphost.md): time scale, the GPUs with the ids
/// the AppHost gives them (<c>{orchestrator}-gpu{i}</c>, replicas named <c>{name}-{k}</c>, <c>count</c> expanded),
/// the model per pipeline and a fixed simulator port if any. A simulator fleet file (<c>{"gpus":[{"id":…}]}</c>) works too.
/// </summary>
public sealed record TopologyInfo(string File, double? TimeScale, IReadOnlyList<GpuInfo> Gpus, IReadOnlyDictionary<string, string> Models, int? SimulatorPort)
{
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static TopologyInfo Load(string file)
    {
        var root = Parse(file);
        double? timeScale = root["timeScale"] is JsonValue ts && ts.TryGetValue<double>(out var t) ? t : null;
        var gpus = new List<GpuInfo>();
        if (root["orchestrators"] is JsonArray orchestrators)
        {
            foreach (var o in orchestrators.OfType<JsonObject>())
            {
                var name = Str(o, "name") ?? $"o{gpus.Count}";
                var replicas = Int(o, "replicas") ?? 1;
                var names = replicas <= 1 ? [name] : Enumerable.Range(1, replicas).Select(k => $"{name}-{k}").ToList();
                foreach (var expanded in names)
                {
                    var index = 0;
                    foreach (var g in (o["gpus"] as JsonArray ?? []).OfType<JsonObject>())
                    {
                        for (var c = 0; c < Math.Max(1, Int(g, "count") ?? 1); c++)
                        {
                            gpus.Add(Gpu(g, $"{expanded}-gpu{index++}", expanded));
                        }
                    }
                }
            }
        }
        else if (root["gpus"] is JsonArray fleet)
        {
            foreach (var g in fleet.OfType<JsonObject>())
            {
                gpus.Add(Gpu(g, Str(g, "id") ?? $"gpu{gpus.Count}", ""));
            }
        }

        var models = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var g in gpus.Where(g => g.ModelId.Length > 0))
        {
            models.TryAdd(g.Pipeline, g.ModelId);
        }

        var simulatorPort = root["simulator"] is JsonObject sim ? Int(sim, "port") : null;
        return new TopologyInfo(file, timeScale, gpus, models, simulatorPort is > 0 ? simulatorPort : null);
    }

    /// <summary>
    /// Writes a copy of the topology for one network: a fixed simulator port (so faults and probes can reach it),
    /// extra gateway environment (timeout settings, payments off) and the starting strategy.
    /// </summary>
    public static void WriteVariant(string source, string target, int? simulatorPort, IReadOnlyDictionary<string, string> gatewayEnvironment, string? strategy)
    {
        var root = Parse(source);
        if (simulatorPort is { } port)
        {
            root["simulator"] = new JsonObject { ["port"] = port };
        }

        if (gatewayEnvironment.Count > 0 || strategy is not null)
        {
            var gateway = root["gateway"] as JsonObject ?? new JsonObject();
            root["gateway"] = gateway;
            if (strategy is not null)
            {
                gateway["strategy"] = strategy;
            }

            if (gatewayEnvironment.Count > 0)
            {
                var env = gateway["environment"] as JsonObject ?? new JsonObject();
                gateway["environment"] = env;
                foreach (var (k, v) in gatewayEnvironment)
                {
                    env[k] = v;
                }
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
        System.IO.File.WriteAllText(target, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// A copy of <paramref name="source"/> with <paramref name="replicas"/> gateway replicas (one gateway without Redis, as
    /// it always ran, when 1) and, when given, every GPU's capacity set to <paramref name="gpuCapacity"/>.
    /// </summary>
    public static void WriteScaleOutVariant(string source, string target, int replicas, int? gpuCapacity)
    {
        var root = Parse(source);
        var gateway = root["gateway"] as JsonObject ?? new JsonObject();
        root["gateway"] = gateway;
        gateway["replicas"] = replicas;
        if (replicas == 1)
        {
            gateway.Remove("redis");
        }

        if (gpuCapacity is { } capacity)
        {
            foreach (var gpu in (root["orchestrators"] as JsonArray ?? []).OfType<JsonObject>().SelectMany(o => (o["gpus"] as JsonArray ?? []).OfType<JsonObject>()))
            {
                gpu["capacity"] = capacity;
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
        System.IO.File.WriteAllText(target, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static JsonObject Parse(string file)
    {
        if (!System.IO.File.Exists(file))
        {
            throw new UsageException($"topology file '{file}' does not exist");
        }

        try
        {
            return JsonNode.Parse(System.IO.File.ReadAllText(file), documentOptions: Lenient) as JsonObject
                ?? throw new UsageException($"topology file '{file}' is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new UsageException($"topology file '{file}' is not valid JSON: {e.Message}");
        }
    }

    private static GpuInfo Gpu(JsonObject g, string id, string orchestrator) => new(
        id,
        orchestrator,
        Str(g, "profile") ?? "",
        Str(g, "pipeline") ?? "",
        Str(g, "model") ?? Str(g, "modelId") ?? Str(g, "model_id") ?? "",
        Math.Max(1, Int(g, "parallelism") ?? 1),
        Str(g, "runner") ?? "simulated",
        Str(g, "url"));

    private static string? Str(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static int? Int(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;
}
