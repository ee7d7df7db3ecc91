using System.Globalization;
using System.Text.Json;
using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.LoadTests;

/// <summary>
/// What the target network advertises, read from the gateway's /getNetworkCapabilities (go-livepeer's document):
/// the models served per pipeline, and a readable name per orchestrator ("o1 · RTX 4090") for reports, from each
/// orchestrator's /status name and the GPU its runners report in <c>hardware</c>.
/// </summary>
public sealed class NetworkView
{
    private NetworkView(Dictionary<string, List<string>> served, Dictionary<string, string> names)
    {
        Served = served;
        OrchestratorNames = names;
    }

    /// <summary>Model ids per pipeline, most widely served first.</summary>
    public IReadOnlyDictionary<string, List<string>> Served { get; }

    /// <summary>Service URI (without a trailing slash) → "name · GPU".</summary>
    public IReadOnlyDictionary<string, string> OrchestratorNames { get; }

    /// <summary>The view, or null when the gateway has no /getNetworkCapabilities (then nothing is checked).</summary>
    public static async Task<NetworkView?> ReadAsync(HttpClient http, Uri gateway, CancellationToken cancel)
    {
        using var response = await http.GetAsync(new Uri(gateway, "getNetworkCapabilities"), cancel);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancel));
        var counts = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var orchestrator in doc.RootElement.GetProperty("orchestrators").EnumerateArray())
        {
            var uri = orchestrator.GetProperty("orch_uri").GetString() ?? "";
            if (orchestrator.TryGetProperty("models", out var models))
            {
                foreach (var model in models.EnumerateArray())
                {
                    var perPipeline = counts.TryGetValue(model.GetProperty("pipeline").GetString()!, out var c) ? c : counts[model.GetProperty("pipeline").GetString()!] = new(StringComparer.Ordinal);
                    var id = model.GetProperty("model_id").GetString()!;
                    perPipeline[id] = perPipeline.GetValueOrDefault(id) + 1;
                }
            }

            var gpus = orchestrator.TryGetProperty("hardware", out var hardware)
                ? hardware.EnumerateArray().SelectMany(h => h.GetProperty("gpu_info").EnumerateObject().Select(g => ShortGpu(g.Value.GetProperty("name").GetString() ?? ""))).Where(n => n.Length > 0).Distinct().ToList()
                : [];
            var name = await NameAsync(http, uri, cancel) ?? uri;
            names[uri.TrimEnd('/')] = gpus.Count == 0 ? name : $"{name} · {string.Join(", ", gpus)}";
        }

        var served = counts.ToDictionary(
            p => p.Key,
            p => p.Value.OrderByDescending(m => m.Value).ThenBy(m => m.Key, StringComparer.Ordinal).Select(m => m.Key).ToList(),
            StringComparer.Ordinal);
        return new NetworkView(served, names);
    }

    /// <summary>
    /// The model per pipeline of <paramref name="scenario"/>: the one asked for, else the contract's default when the
    /// network serves it, else the most widely served. A pipeline nobody serves stops the run with the reason.
    /// </summary>
    public Dictionary<string, string> ResolveModels(Scenario scenario, IReadOnlyDictionary<string, string> asked, Uri gateway)
    {
        var resolved = new Dictionary<string, string>(asked, StringComparer.Ordinal);

        foreach (var pipeline in scenario.Mix.Entries.Where(e => e.Weight > 0).Select(e => e.Kind.Pipeline()).Distinct())
        {
            if (!Served.TryGetValue(pipeline, out var models) || models.Count == 0)
            {
                throw new UsageException(
                    $"scenario '{scenario.Name}' sends {pipeline} jobs, but no orchestrator behind {gateway} serves {pipeline}; " +
                    $"served: {(Served.Count == 0 ? "nothing" : string.Join(", ", Served.Keys.Order(StringComparer.Ordinal)))}. Pick another --scenario or a mix such as llm-stream=1");
            }

            if (resolved.TryGetValue(pipeline, out var wanted))
            {
                if (!models.Contains(wanted))
                {
                    throw new UsageException($"model '{wanted}' is not served for {pipeline}; served: {string.Join(", ", models)}");
                }

                continue;
            }

            var contractDefault = PipelineCatalog.Get(pipeline).DefaultModelId;
            resolved[pipeline] = models.Contains(contractDefault) ? contractDefault : models[0];
        }

        return resolved;
    }

    /// <summary>The scenario with the job kinds whose pipelines nobody serves left out; unchanged when everything is served.</summary>
    public Scenario Adapt(Scenario scenario)
    {
        if (!scenario.AdaptsToNetwork)
        {
            return scenario;
        }

        var kept = scenario.Mix.Entries.Where(e => e.Weight > 0 && Served.ContainsKey(e.Kind.Pipeline())).ToList();
        return kept.Count == 0 || kept.Count == scenario.Mix.Entries.Count(e => e.Weight > 0)
            ? scenario
            : scenario with { Mix = new JobMix(kept), Description = scenario.Description + $" (only {string.Join(", ", kept.Select(k => k.Kind.Name()))}: the rest is not served here)" };
    }

    private static async Task<string?> NameAsync(HttpClient http, string serviceUri, CancellationToken cancel)
    {
        if (!Uri.TryCreate(serviceUri, UriKind.Absolute, out var uri))
        {
            return null;
        }

        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            cts.CancelAfter(TimeSpan.FromSeconds(3));
            using var response = await http.GetAsync(new Uri(uri.AbsoluteUri.TrimEnd('/') + "/status"), cts.Token);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cts.Token));
            return doc.RootElement.TryGetProperty("name", out var name) && name.GetString() is { Length: > 0 } n ? n : null;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>"NVIDIA GeForce RTX 4090" → "RTX 4090".</summary>
    private static string ShortGpu(string name) =>
        name.Replace("NVIDIA ", "", StringComparison.Ordinal).Replace("GeForce ", "", StringComparison.Ordinal).Trim();

    public static string Percent(double fraction) => (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";
}
