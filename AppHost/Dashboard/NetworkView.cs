using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LivepeerAspire.AppHost.Hosting;

namespace LivepeerAspire.AppHost.Dashboard;

/// <summary>
/// Assembles the network view from what each part publishes: the topology (GPUs, prices, stake), the
/// simulator's <c>/admin/gpus</c>, each orchestrator's <c>/status</c>, and the gateway's <c>/orchestrators</c>
/// and <c>/stats</c>. Any of them may be missing or not implemented yet; the view then shows what it has.
/// Also forwards the dashboard's fault buttons to the simulator admin API for an orchestrator's GPUs.
/// </summary>
internal sealed class NetworkView(DistributedApplication app) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(1) })
    {
        Timeout = TimeSpan.FromSeconds(2),
    };

    public async Task<JsonObject> SnapshotAsync(CancellationToken ct)
    {
        var map = app.Network;
        var gatewayUrl = UrlOf(map?.GatewayResource);
        var simulatorUrl = UrlOf(map?.SimulatorResource);
        var orchestrators = map?.Orchestrators ?? [];

        var gatewayStats = GetJsonAsync(gatewayUrl, "/stats", ct);
        var gatewayOrchestrators = GetJsonAsync(gatewayUrl, "/orchestrators", ct);
        var simulatorGpus = GetJsonAsync(simulatorUrl, "/admin/gpus", ct);
        var statuses = orchestrators.Select(o => GetJsonAsync(UrlOf(o.ResourceName), "/status", ct)).ToList();
        await Task.WhenAll([gatewayStats, gatewayOrchestrators, simulatorGpus, .. statuses]);

        var simByGpu = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        if (simulatorGpus.Result is JsonArray gpus)
        {
            foreach (var gpu in gpus.OfType<JsonObject>())
            {
                if (gpu["id"]?.GetValueKind() == JsonValueKind.String)
                {
                    simByGpu[gpu["id"]!.GetValue<string>()] = gpu.DeepClone();
                }
            }
        }

        var list = new JsonArray();
        for (var i = 0; i < orchestrators.Count; i++)
        {
            var o = orchestrators[i];
            var instance = app.FindInstance(o.ResourceName);
            var url = instance?.Url;
            var gpuList = new JsonArray();
            foreach (var gpu in o.Gpus)
            {
                var node = JsonSerializer.SerializeToNode(gpu, JsonOptions)!.AsObject();
                node["simulator"] = simByGpu.TryGetValue(gpu.Id, out var sim) ? sim.DeepClone() : null;
                gpuList.Add(node);
            }

            list.Add(new JsonObject
            {
                ["name"] = o.Name,
                ["resource"] = o.ResourceName,
                ["url"] = url,
                ["state"] = instance?.State.ToDisplay(),
                ["stake"] = o.Stake,
                ["gpus"] = gpuList,
                ["status"] = statuses[i].Result?.DeepClone(),
                ["gateway"] = FindGatewayEntry(gatewayOrchestrators.Result, url, o.Name),
            });
        }

        return new JsonObject
        {
            ["topology"] = map?.TopologyName,
            ["timeScale"] = map?.TimeScale,
            ["gateway"] = new JsonObject
            {
                ["url"] = gatewayUrl,
                ["state"] = map?.GatewayResource is { } g ? app.FindInstance(g)?.State.ToDisplay() : null,
                ["stats"] = gatewayStats.Result?.DeepClone(),
                ["orchestrators"] = gatewayOrchestrators.Result?.DeepClone(),
            },
            ["simulator"] = new JsonObject
            {
                ["url"] = simulatorUrl,
                ["state"] = map?.SimulatorResource is { } s ? app.FindInstance(s)?.State.ToDisplay() : null,
                ["gpus"] = simulatorGpus.Result?.DeepClone(),
            },
            ["orchestrators"] = list,
        };
    }

    public Task<(int Status, JsonNode Body)> SetFaultAsync(string orchestrator, string body, CancellationToken ct)
    {
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            return Task.FromResult((400, (JsonNode)new JsonObject { ["error"] = $"body is not JSON: {e.Message}" }));
        }

        if (parsed?["kind"]?.GetValueKind() != JsonValueKind.String)
        {
            return Task.FromResult((400, (JsonNode)new JsonObject { ["error"] = "body needs a \"kind\": hang, slow (with factor), crash, errors (with rate), stall, oom or flap" }));
        }

        return ForEachGpuAsync(orchestrator, (url, gpu) =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"{url}/admin/gpus/{Uri.EscapeDataString(gpu)}/faults")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            return request;
        }, ct);
    }

    public Task<(int Status, JsonNode Body)> ClearFaultAsync(string orchestrator, CancellationToken ct) =>
        ForEachGpuAsync(orchestrator, (url, gpu) => new HttpRequestMessage(HttpMethod.Delete, $"{url}/admin/gpus/{Uri.EscapeDataString(gpu)}/faults"), ct);

    public void Dispose() => _http.Dispose();

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private async Task<(int Status, JsonNode Body)> ForEachGpuAsync(string orchestrator, Func<string, string, HttpRequestMessage> request, CancellationToken ct)
    {
        var map = app.Network;
        var o = map?.Orchestrators.FirstOrDefault(x => string.Equals(x.Name, orchestrator, StringComparison.OrdinalIgnoreCase)
            || string.Equals(x.ResourceName, orchestrator, StringComparison.OrdinalIgnoreCase));
        if (o is null)
        {
            return (404, new JsonObject { ["error"] = $"no orchestrator named '{orchestrator}'" });
        }

        var simulatorUrl = UrlOf(map!.SimulatorResource);
        var gpus = o.Gpus.Where(g => g.RunnerKind is "simulated" or "ollama").Select(g => g.Id).ToList();
        if (simulatorUrl is null || gpus.Count == 0)
        {
            return (409, new JsonObject { ["error"] = $"orchestrator '{o.Name}' has no simulated GPU to inject faults into" });
        }

        var results = new JsonArray();
        var status = 200;
        foreach (var gpu in gpus)
        {
            try
            {
                using var message = request(simulatorUrl, gpu);
                using var response = await _http.SendAsync(message, ct);
                var text = await response.Content.ReadAsStringAsync(ct);
                results.Add(new JsonObject { ["gpu"] = gpu, ["status"] = (int)response.StatusCode, ["body"] = TryParse(text) ?? text });
                if (!response.IsSuccessStatusCode)
                {
                    status = (int)response.StatusCode;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                results.Add(new JsonObject { ["gpu"] = gpu, ["status"] = 502, ["body"] = $"simulator did not answer: {e.Message}" });
                status = 502;
            }
        }

        return (status, new JsonObject { ["orchestrator"] = o.Name, ["gpus"] = results });
    }

    private string? UrlOf(string? resourceName) => resourceName is null ? null : app.FindInstance(resourceName)?.Url;

    private async Task<JsonNode?> GetJsonAsync(string? baseUrl, string path, CancellationToken ct)
    {
        if (baseUrl is null)
        {
            return null;
        }

        try
        {
            using var response = await _http.GetAsync(baseUrl + path, ct);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            return TryParse(await response.Content.ReadAsStringAsync(ct));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException)
        {
            return null;
        }
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// What the gateway says about this orchestrator: its session in every pool (pipeline, model, warm/cold, latency
    /// score, stake, in flight, cool-down) and any suspension, from <c>GET /orchestrators</c>
    /// (<c>{"pools":[{"pipeline","model_id","warm":[…],"cold":[…]}],"suspended":[…]}</c>); a flat list is accepted too.
    /// </summary>
    private static JsonNode? FindGatewayEntry(JsonNode? list, string? url, string name)
    {
        if (list is null || url is null)
        {
            return null;
        }

        var key = url.TrimEnd('/');
        bool Matches(JsonNode? entry) =>
            entry is JsonObject o
            && (o["orchestrator"] ?? o["url"] ?? o["serviceUri"] ?? o["service_uri"]) is JsonValue v
            && v.GetValueKind() == JsonValueKind.String
            && string.Equals(v.GetValue<string>().TrimEnd('/'), key, StringComparison.OrdinalIgnoreCase)
            || entry is JsonObject named && named["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String && n.GetValue<string>() == name;

        var sessions = new JsonArray();
        if (list["pools"] is JsonArray pools)
        {
            foreach (var pool in pools.OfType<JsonObject>())
            {
                foreach (var kind in new[] { "warm", "cold" })
                {
                    foreach (var entry in (pool[kind] as JsonArray ?? []).Where(Matches))
                    {
                        var copy = entry!.DeepClone().AsObject();
                        copy["pipeline"] = pool["pipeline"]?.DeepClone();
                        copy["model_id"] = pool["model_id"]?.DeepClone();
                        copy["pool"] = kind;
                        sessions.Add(copy);
                    }
                }
            }
        }
        else if ((list as JsonArray ?? list["orchestrators"] as JsonArray) is { } flat)
        {
            foreach (var entry in flat.Where(Matches))
            {
                sessions.Add(entry!.DeepClone());
            }
        }

        var suspended = new JsonArray();
        foreach (var entry in (list["suspended"] as JsonArray ?? []).Where(Matches))
        {
            suspended.Add(entry!.DeepClone());
        }

        return sessions.Count == 0 && suspended.Count == 0 ? null : new JsonObject { ["sessions"] = sessions, ["suspended"] = suspended };
    }
}
