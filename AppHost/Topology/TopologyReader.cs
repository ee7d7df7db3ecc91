using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.AppHost.Topology;

/// <summary>
/// Reads a topology file strictly: unknown members, wrong types and impossible values are refused with the
/// file, the JSON path and the reason, before anything starts.
/// </summary>
public static partial class TopologyReader
{
    private static readonly string[] RootKeys = ["$schema", "name", "description", "timeScale", "seed", "simulator", "gateway", "dashboard", "orchestrators", "resources", "payments"];
    private static readonly string[] GatewayKeys = ["port", "strategy", "environment", "auth"];
    private static readonly string[] OrchestratorKeys = ["name", "stake", "port", "replicas", "environment", "gpus"];
    private static readonly string[] GpuKeys =
    [
        "profile", "pipeline", "model", "modelId", "warm", "capacity", "pricePerUnit", "price_per_unit", "pixelsPerUnit", "pixels_per_unit",
        "currency", "runner", "url", "image", "containerPort", "faults", "count", "parallelism", "queueLimit", "cpuOffload", "quantization",
        "keepAlive", "noiseCv", "optimizationFlags", "optimization_flags", "environment", "containerGpus", "volumes",
        "startTimeout",
    ];
    private static readonly string[] ContainerOnlyKeys = ["optimizationFlags", "optimization_flags", "environment", "containerGpus", "volumes", "startTimeout"];
    private static readonly string[] SimulatorPassThrough = ["parallelism", "queueLimit", "cpuOffload", "quantization", "keepAlive", "noiseCv"];
    private static readonly string[] ResourceKeys = ["name", "kind", "command", "image", "args", "port", "targetPort", "health", "environment"];
    private static readonly string[] Currencies = ["wei", "eth", "usd"];

    public static TopologySpec Load(string file)
    {
        string text;
        try
        {
            text = System.IO.File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TopologyException(file, "$", $"cannot read the file: {e.Message}");
        }

        return Parse(text, file);
    }

    public static TopologySpec Parse(string json, string file)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new TopologyException(file, e.Path is { Length: > 0 } p ? p : "$", $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}");
        }

        using (document)
        {
            var r = new Reader(file);
            var root = r.Object(document.RootElement, "$", RootKeys);
            var orchestratorsElement = r.Required(root, "$", "orchestrators");
            var orchestrators = r.Array(orchestratorsElement, "$.orchestrators")
                .Select((e, i) => ReadOrchestrator(r, e, $"$.orchestrators[{i}]"))
                .ToList();
            if (orchestrators.Count == 0)
            {
                throw r.Error("$.orchestrators", "a network needs at least one orchestrator");
            }

            var timeScale = r.OptionalDouble(root, "$", "timeScale") ?? 1.0;
            if (timeScale <= 0 || double.IsNaN(timeScale) || double.IsInfinity(timeScale))
            {
                throw r.Error("$.timeScale", $"must be a positive number (1.0 = real time), not {timeScale.ToString(CultureInfo.InvariantCulture)}");
            }

            var gatewayObject = root.TryGetValue("gateway", out var g) ? r.Object(g, "$.gateway", GatewayKeys) : null;
            var simulator = root.TryGetValue("simulator", out var s) ? r.Object(s, "$.simulator", ["port"]) : null;
            if (root.ContainsKey("dashboard"))
            {
                throw r.Error("$.dashboard", "the dashboard is Aspire's and not part of a network: move it with --dashboard-port N (or the AppHost's launch profile)");
            }

            var spec = new TopologySpec
            {
                File = file,
                Name = r.OptionalString(root, "$", "name") ?? Path.GetFileNameWithoutExtension(file),
                Description = r.OptionalString(root, "$", "description"),
                TimeScale = timeScale,
                Seed = r.OptionalInt(root, "$", "seed") ?? 42,
                SimulatorPort = simulator is null ? null : r.OptionalPort(simulator, "$.simulator", "port"),
                Gateway = gatewayObject is null
                    ? new GatewaySpec()
                    : new GatewaySpec
                    {
                        Port = r.OptionalPort(gatewayObject, "$.gateway", "port") ?? 9935,
                        Strategy = r.OptionalString(gatewayObject, "$.gateway", "strategy"),
                        Environment = r.Environment(gatewayObject, "$.gateway"),
                        Access = gatewayObject.TryGetValue("auth", out var auth) ? GatewayAccessSpec.Read(auth, file) : null,
                    },
                Orchestrators = orchestrators,
                Resources = root.TryGetValue("resources", out var res)
                    ? r.Array(res, "$.resources").Select((e, i) => ReadResource(r, e, $"$.resources[{i}]")).ToList()
                    : [],
                Payments = root.TryGetValue("payments", out var payments) ? PaymentsSpec.Read(payments, file) : null,
            };
            return spec;
        }
    }

    private static OrchestratorSpec ReadOrchestrator(Reader r, JsonElement element, string path)
    {
        var o = r.Object(element, path, OrchestratorKeys);
        var name = r.RequiredString(o, path, "name");
        if (!NamePattern().IsMatch(name))
        {
            throw r.Error($"{path}.name", $"'{name}' is not a valid name: use lower-case letters, digits and '-' (it becomes a resource and a configuration key)");
        }

        var gpus = new List<GpuSpec>();
        var gpuArray = r.Array(r.Required(o, path, "gpus"), $"{path}.gpus");
        for (var i = 0; i < gpuArray.Count; i++)
        {
            var gpuPath = $"{path}.gpus[{i}]";
            var gpu = ReadGpu(r, gpuArray[i], gpuPath, out var count);
            gpus.AddRange(Enumerable.Repeat(gpu, count));
        }

        if (gpus.Count == 0)
        {
            throw r.Error($"{path}.gpus", "an orchestrator needs at least one GPU");
        }

        var replicas = r.OptionalInt(o, path, "replicas") ?? 1;
        if (replicas is < 1 or > 64)
        {
            throw r.Error($"{path}.replicas", $"must be between 1 and 64, not {replicas}");
        }

        var port = r.OptionalPort(o, path, "port");
        if (port is > 0 && replicas > 1)
        {
            throw r.Error($"{path}.port", "a fixed port cannot be shared by several replicas; drop the port or the replicas");
        }

        string? stake = null;
        if (o.TryGetValue("stake", out var stakeElement))
        {
            stake = r.NonNegativeNumber(stakeElement, $"{path}.stake");
        }

        return new OrchestratorSpec
        {
            Name = name,
            Path = path,
            Stake = stake,
            Port = port,
            Replicas = replicas,
            Environment = r.Environment(o, path),
            Gpus = gpus,
        };
    }

    private static GpuSpec ReadGpu(Reader r, JsonElement element, string path, out int count)
    {
        var o = r.Object(element, path, GpuKeys);
        var pipelineName = r.RequiredString(o, path, "pipeline");
        if (!PipelineCatalog.TryGet(pipelineName, out var pipeline))
        {
            throw r.Error($"{path}.pipeline", $"unknown pipeline '{pipelineName}'; known: {string.Join(", ", PipelineCatalog.All.Select(p => p.Name))}");
        }

        var runnerText = r.OptionalString(o, path, "runner") ?? "simulated";
        if (!Enum.TryParse<RunnerKind>(runnerText, ignoreCase: true, out var runner) || runnerText.Any(char.IsDigit))
        {
            throw r.Error($"{path}.runner", $"unknown runner '{runnerText}'; use simulated, ollama, external or container");
        }

        var profile = r.OptionalString(o, path, "profile");
        if (runner is RunnerKind.Simulated or RunnerKind.Ollama && string.IsNullOrWhiteSpace(profile))
        {
            throw r.Error($"{path}.profile", $"a {runnerText} runner needs a GPU profile (e.g. \"RTX 4090\")");
        }

        if (runner == RunnerKind.Ollama && pipeline.Name != PipelineCatalog.Llm.Name)
        {
            throw r.Error($"{path}.runner", $"the Ollama shim serves the llm pipeline only, not {pipeline.Name}");
        }

        Uri? url = null;
        if (r.OptionalString(o, path, "url") is { } urlText)
        {
            if (!Uri.TryCreate(urlText, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https"))
            {
                throw r.Error($"{path}.url", $"'{urlText}' is not an absolute http(s) URL");
            }
        }

        if (runner == RunnerKind.External && url is null)
        {
            throw r.Error($"{path}.url", "an external runner needs the runner's url (e.g. http://127.0.0.1:8000)");
        }

        var image = r.OptionalString(o, path, "image");
        if (runner == RunnerKind.Container && string.IsNullOrWhiteSpace(image))
        {
            throw r.Error($"{path}.image", "a container runner needs an image (e.g. livepeer/ai-runner:latest)");
        }

        if (runner != RunnerKind.Container && ContainerOnlyKeys.FirstOrDefault(o.ContainsKey) is { } containerOnly)
        {
            throw r.Error($"{path}.{containerOnly}", $"only a container runner takes {containerOnly}; this GPU's runner is {runnerText}");
        }

        var containerGpus = r.OptionalString(o, path, "containerGpus");
        if (containerGpus is not null && !ContainerGpusPattern().IsMatch(containerGpus))
        {
            throw r.Error($"{path}.containerGpus", $"'{containerGpus}' is not a GPU request; use \"all\" or device indexes such as \"0\" or \"0,1\"");
        }

        TimeSpan? startTimeout = null;
        if (r.OptionalString(o, path, "startTimeout") is { } startText)
        {
            if (!TimeSpan.TryParse(startText, CultureInfo.InvariantCulture, out var start) || start <= TimeSpan.Zero)
            {
                throw r.Error($"{path}.startTimeout", $"'{startText}' is not a positive time span; use hh:mm:ss, e.g. \"00:03:00\"");
            }

            startTimeout = start;
        }

        var volumes = o.TryGetValue("volumes", out var v) ? r.Array(v, $"{path}.volumes").Select((x, i) => r.Volume(x, $"{path}.volumes[{i}]")).ToList() : [];
        var capacity = r.OptionalInt(o, path, "capacity") ?? 1;
        if (capacity < 1)
        {
            throw r.Error($"{path}.capacity", $"must be at least 1, not {capacity}");
        }

        count = r.OptionalInt(o, path, "count") ?? 1;
        if (count is < 1 or > 64)
        {
            throw r.Error($"{path}.count", $"must be between 1 and 64, not {count}");
        }

        var price = o.TryGetValue("pricePerUnit", out var p) || o.TryGetValue("price_per_unit", out p) ? r.NonNegativeNumber(p, $"{path}.pricePerUnit") : "0";
        var pixels = o.TryGetValue("pixelsPerUnit", out var px) || o.TryGetValue("pixels_per_unit", out px) ? r.NonNegativeNumber(px, $"{path}.pixelsPerUnit") : "1";
        if (BigRational.TryParse(pixels, out var pixelsValue) && pixelsValue.IsZero)
        {
            throw r.Error($"{path}.pixelsPerUnit", "must be greater than 0");
        }

        var currency = r.OptionalString(o, path, "currency") ?? "wei";
        if (!Currencies.Contains(currency, StringComparer.OrdinalIgnoreCase))
        {
            throw r.Error($"{path}.currency", $"unknown currency '{currency}'; use wei, eth or USD");
        }

        var faults = o.TryGetValue("faults", out var f) ? r.Array(f, $"{path}.faults").Select(x => x.Clone()).ToList() : [];
        var extra = SimulatorPassThrough.Where(o.ContainsKey).ToDictionary(k => k, k => o[k].Clone());
        var containerPort = r.OptionalPort(o, path, "containerPort") ?? 8000;
        return new GpuSpec
        {
            Path = path,
            Profile = profile,
            Pipeline = pipeline.Name,
            Model = r.OptionalString(o, path, "model") ?? r.OptionalString(o, path, "modelId") ?? pipeline.DefaultModelId,
            Warm = r.OptionalBool(o, path, "warm") ?? true,
            Capacity = capacity,
            PricePerUnit = price,
            PixelsPerUnit = pixels,
            Currency = currency,
            Runner = runner,
            Url = url,
            Image = image,
            ContainerPort = containerPort,
            OptimizationFlags = r.OptimizationFlags(o, path),
            ContainerEnvironment = r.Environment(o, path),
            ContainerGpus = containerGpus,
            Volumes = volumes,
            ConfiguredStartTimeout = startTimeout,
            Faults = faults,
            SimulatorFields = extra,
        };
    }

    private static ExtraResourceSpec ReadResource(Reader r, JsonElement element, string path)
    {
        var o = r.Object(element, path, ResourceKeys);
        var name = r.RequiredString(o, path, "name");
        if (!NamePattern().IsMatch(name))
        {
            throw r.Error($"{path}.name", $"'{name}' is not a valid name: use lower-case letters, digits and '-'");
        }

        var kind = r.RequiredString(o, path, "kind");
        if (kind is not ("executable" or "container"))
        {
            throw r.Error($"{path}.kind", $"unknown kind '{kind}'; use executable or container");
        }

        var command = r.OptionalString(o, path, "command");
        var image = r.OptionalString(o, path, "image");
        if (kind == "executable" && string.IsNullOrWhiteSpace(command))
        {
            throw r.Error($"{path}.command", "an executable needs a command");
        }

        if (kind == "container" && string.IsNullOrWhiteSpace(image))
        {
            throw r.Error($"{path}.image", "a container needs an image");
        }

        var health = r.OptionalString(o, path, "health") ?? "tcp";
        if (health is not ("http" or "tcp" or "none"))
        {
            throw r.Error($"{path}.health", $"unknown health check '{health}'; use http, tcp or none");
        }

        return new ExtraResourceSpec
        {
            Name = name,
            Path = path,
            Kind = kind,
            Command = command,
            Image = image,
            Args = o.TryGetValue("args", out var a) ? r.Array(a, $"{path}.args").Select((x, i) => r.StringValue(x, $"{path}.args[{i}]")).ToList() : [],
            Port = r.OptionalPort(o, path, "port"),
            TargetPort = r.OptionalPort(o, path, "targetPort"),
            Health = health,
            Environment = r.Environment(o, path),
        };
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex NamePattern();

    /// <summary>Typed access to JSON members with the JSON path in every error.</summary>
    private sealed class Reader(string file)
    {
        public TopologyException Error(string path, string reason) => new(file, path, reason);

        public Dictionary<string, JsonElement> Object(JsonElement element, string path, string[] allowed)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Error(path, $"expected an object, found {Describe(element)}");
            }

            var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                if (!allowed.Contains(property.Name, StringComparer.Ordinal))
                {
                    throw Error($"{path}.{property.Name}", $"unknown member '{property.Name}'; allowed: {string.Join(", ", allowed)}");
                }

                if (!result.TryAdd(property.Name, property.Value))
                {
                    throw Error($"{path}.{property.Name}", "appears twice");
                }
            }

            return result;
        }

        public JsonElement Required(Dictionary<string, JsonElement> o, string path, string key) =>
            o.TryGetValue(key, out var value) ? value : throw Error($"{path}.{key}", "is required");

        public List<JsonElement> Array(JsonElement element, string path) =>
            element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().ToList() : throw Error(path, $"expected an array, found {Describe(element)}");

        public string RequiredString(Dictionary<string, JsonElement> o, string path, string key) =>
            StringValue(Required(o, path, key), $"{path}.{key}");

        public string? OptionalString(Dictionary<string, JsonElement> o, string path, string key) =>
            o.TryGetValue(key, out var v) && v.ValueKind != JsonValueKind.Null ? StringValue(v, $"{path}.{key}") : null;

        public string StringValue(JsonElement element, string path) =>
            element.ValueKind == JsonValueKind.String && element.GetString() is { Length: > 0 } s
                ? s
                : throw Error(path, $"expected a non-empty string, found {Describe(element)}");

        public int? OptionalInt(Dictionary<string, JsonElement> o, string path, string key)
        {
            if (!o.TryGetValue(key, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : throw Error($"{path}.{key}", $"expected an integer, found {Describe(v)}");
        }

        public double? OptionalDouble(Dictionary<string, JsonElement> o, string path, string key)
        {
            if (!o.TryGetValue(key, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Error($"{path}.{key}", $"expected a number, found {Describe(v)}");
        }

        public bool? OptionalBool(Dictionary<string, JsonElement> o, string path, string key)
        {
            if (!o.TryGetValue(key, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Error($"{path}.{key}", $"expected true or false, found {Describe(v)}");
        }

        public int? OptionalPort(Dictionary<string, JsonElement> o, string path, string key)
        {
            var port = OptionalInt(o, path, key);
            return port is null or (>= 0 and <= 65535) ? port : throw Error($"{path}.{key}", $"a port is between 0 and 65535, not {port}");
        }

        /// <summary>A non-negative number (JSON number or numeric string), kept as exact text.</summary>
        public string NonNegativeNumber(JsonElement element, string path)
        {
            var text = element.ValueKind switch
            {
                JsonValueKind.Number => element.GetRawText(),
                JsonValueKind.String => element.GetString(),
                _ => null,
            };
            if (text is null || !BigRational.TryParse(text, out var value))
            {
                throw Error(path, $"expected a number, found {Describe(element)}");
            }

            return value.Sign < 0 ? throw Error(path, $"must not be negative, found {text}") : text;
        }

        public IReadOnlyDictionary<string, string> Environment(Dictionary<string, JsonElement> o, string path)
        {
            if (!o.TryGetValue("environment", out var env))
            {
                return new Dictionary<string, string>();
            }

            if (env.ValueKind != JsonValueKind.Object)
            {
                throw Error($"{path}.environment", $"expected an object of name: value, found {Describe(env)}");
            }

            return env.EnumerateObject().ToDictionary(
                p => p.Name,
                p => p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString()!,
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => p.Value.GetRawText(),
                    _ => throw Error($"{path}.environment.{p.Name}", $"expected a string, number or boolean, found {Describe(p.Value)}"),
                });
        }

        /// <summary>go-livepeer's optimization_flags: values are strings or booleans only (its EnvValue refuses numbers).</summary>
        public IReadOnlyList<KeyValuePair<string, string>> OptimizationFlags(Dictionary<string, JsonElement> o, string path)
        {
            var key = o.ContainsKey("optimization_flags") ? "optimization_flags" : "optimizationFlags";
            if (!o.TryGetValue(key, out var flags))
            {
                return [];
            }

            if (flags.ValueKind != JsonValueKind.Object)
            {
                throw Error($"{path}.{key}", $"expected an object of NAME: \"value\" or true/false, found {Describe(flags)}");
            }

            return flags.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString()!,
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => throw Error($"{path}.{key}.{p.Name}",
                    $"must be a string or a boolean, found {Describe(p.Value)} (go-livepeer refuses numbers: write \"{p.Value.GetRawText()}\")"),
            })).ToList();
        }

        /// <summary>"SOURCE:TARGET" or "SOURCE:TARGET:ro"; a SOURCE starting with '/' or '.' is a host path, otherwise a named volume.</summary>
        public ContainerVolume Volume(JsonElement element, string path)
        {
            var text = element.ValueKind == JsonValueKind.String ? element.GetString()! : throw Error(path, $"expected \"SOURCE:TARGET[:ro]\", found {Describe(element)}");
            var parts = text.Split(':');
            if (parts.Length is < 2 or > 3 || parts.Any(string.IsNullOrWhiteSpace) || !parts[1].StartsWith('/') || (parts.Length == 3 && parts[2] != "ro"))
            {
                throw Error(path, $"'{text}' is not SOURCE:TARGET[:ro] with an absolute TARGET (e.g. \"/var/lib/models:/models\" or \"ollama:/root/.ollama\")");
            }

            var isHostPath = parts[0].StartsWith('/') || parts[0].StartsWith('.');
            return new ContainerVolume(isHostPath ? Path.GetFullPath(parts[0], Path.GetDirectoryName(Path.GetFullPath(file))!) : parts[0], parts[1], isHostPath, parts.Length == 3);
        }

        private static string Describe(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.String => $"\"{e.GetString()}\"",
            JsonValueKind.Number => e.GetRawText(),
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            _ => e.ValueKind.ToString().ToLowerInvariant(),
        };
    }

    [GeneratedRegex("^(all|[0-9]+(,[0-9]+)*)$")]
    private static partial Regex ContainerGpusPattern();
}
