using System.Text.Json;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>One GPU as far as capacity planning cares.</summary>
public sealed record GpuInfo(string Id, string Profile, string Pipeline, string ModelId, int Parallelism);

/// <summary>
/// What the load tests need from a topology file, read leniently (the AppHost owns the format): the time
/// scale, every GPU (an object with <c>profile</c> and <c>pipeline</c>) and the model per pipeline.
/// </summary>
public sealed record TopologyInfo(string File, double? TimeScale, IReadOnlyList<GpuInfo> Gpus, IReadOnlyDictionary<string, string> Models)
{
    public static TopologyInfo Load(string file)
    {
        if (!System.IO.File.Exists(file))
        {
            throw new UsageException($"topology file '{file}' does not exist");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(System.IO.File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new UsageException($"topology file '{file}' is not valid JSON: {e.Message}");
        }

        using (doc)
        {
            double? timeScale = null;
            var gpus = new List<GpuInfo>();
            var models = new Dictionary<string, string>(StringComparer.Ordinal);
            Walk(doc.RootElement, ref timeScale, gpus, models);
            return new TopologyInfo(file, timeScale, gpus, models);
        }
    }

    private static void Walk(JsonElement e, ref double? timeScale, List<GpuInfo> gpus, Dictionary<string, string> models)
    {
        if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in e.EnumerateArray())
            {
                Walk(item, ref timeScale, gpus, models);
            }

            return;
        }

        if (e.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (timeScale is null && Get(e, "timeScale") is { ValueKind: JsonValueKind.Number } ts)
        {
            timeScale = ts.GetDouble();
        }

        var pipeline = Str(e, "pipeline");
        var model = Str(e, "modelId") ?? Str(e, "model_id") ?? Str(e, "model");
        if (pipeline is not null && model is not null)
        {
            models.TryAdd(pipeline, model);
        }

        if (pipeline is not null && Str(e, "profile") is { } profile)
        {
            var parallelism = Get(e, "parallelism") is { ValueKind: JsonValueKind.Number } p ? p.GetInt32() : 1;
            gpus.Add(new GpuInfo(Str(e, "id") ?? Str(e, "name") ?? $"gpu{gpus.Count}", profile, pipeline, model ?? "", Math.Max(1, parallelism)));
        }

        foreach (var prop in e.EnumerateObject())
        {
            if (prop.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                Walk(prop.Value, ref timeScale, gpus, models);
            }
        }
    }

    private static JsonElement? Get(JsonElement e, string name)
    {
        foreach (var p in e.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }

    private static string? Str(JsonElement e, string name) => Get(e, name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;
}
