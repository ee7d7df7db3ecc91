using System.Net.Http.Json;
using System.Text.Json;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>The admin calls experiments make: gateway strategy, simulator faults and GPU counters.</summary>
public sealed class NetworkAdmin(HttpClient http)
{
    /// <summary><c>PUT /admin/selection {"strategy":…}</c>; a refusal names the strategy and the gateway's reason.</summary>
    public async Task SetStrategyAsync(Uri gateway, string strategy, CancellationToken cancel)
    {
        using var response = await http.PutAsJsonAsync(new Uri(gateway, "admin/selection"), new { strategy }, cancel);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancel);
            throw new UsageException($"the gateway refused strategy '{strategy}': {(int)response.StatusCode} {Running.JobExecutor.ErrorMessage(body)}");
        }
    }

    /// <summary><c>POST /admin/gpus/{id}/faults</c> on the simulator.</summary>
    public async Task SetFaultAsync(Uri simulator, string gpuId, object fault, CancellationToken cancel)
    {
        using var response = await http.PostAsJsonAsync(new Uri(simulator, $"admin/gpus/{Uri.EscapeDataString(gpuId)}/faults"), fault, cancel);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancel);
            throw new UsageException($"the simulator refused fault {JsonSerializer.Serialize(fault)} on {gpuId}: {(int)response.StatusCode} {Running.JobExecutor.ErrorMessage(body)}");
        }
    }

    public async Task ClearFaultAsync(Uri simulator, string gpuId, CancellationToken cancel)
    {
        using var response = await http.DeleteAsync(new Uri(simulator, $"admin/gpus/{Uri.EscapeDataString(gpuId)}/faults"), cancel);
    }

    /// <summary>
    /// Waits until the gateway's /getNetworkCapabilities lists <paramref name="expected"/> orchestrators (discovery
    /// done), so that the first run does not measure a half-discovered network. Returns how many it saw (−1 when the gateway has no such endpoint).
    /// </summary>
    public async Task<int> WaitForDiscoveryAsync(Uri gateway, int expected, TimeSpan limit, CancellationToken cancel)
    {
        var seen = 0;
        var deadline = DateTimeOffset.UtcNow + limit;
        while (DateTimeOffset.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(gateway, "getNetworkCapabilities"), cancel);
                if (response.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.MethodNotAllowed)
                {
                    return -1; // a gateway without the endpoint: nothing to wait for
                }

                using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancel));
                var uris = new HashSet<string>(StringComparer.Ordinal);
                Collect(doc.RootElement, uris);
                seen = uris.Count;
                if (seen >= expected)
                {
                    return seen;
                }
            }
            catch (Exception e) when (e is HttpRequestException or JsonException)
            {
            }

            await Task.Delay(500, cancel);
        }

        return seen;

        static void Collect(JsonElement e, HashSet<string> uris)
        {
            if (e.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Name == "orch_uri" && p.Value.ValueKind == JsonValueKind.String)
                    {
                        uris.Add(p.Value.GetString()!);
                    }
                    else
                    {
                        Collect(p.Value, uris);
                    }
                }
            }
            else if (e.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in e.EnumerateArray())
                {
                    Collect(item, uris);
                }
            }
        }
    }

    /// <summary>Simulated GPU-seconds held by jobs that ended without an answer, summed over the GPUs (<c>abandonedSeconds</c>), or null.</summary>
    public async Task<double?> AbandonedGpuSecondsAsync(Uri? simulator, CancellationToken cancel)
    {
        if (simulator is null)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(simulator, "admin/gpus"), cancel));
            return doc.RootElement.EnumerateArray().Sum(g => g.TryGetProperty("abandonedSeconds", out var s) && s.TryGetDouble(out var v) ? v : 0);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>jobsServed per GPU from <c>GET /admin/gpus</c>, or null when the simulator does not answer.</summary>
    public async Task<Dictionary<string, long>?> JobsServedAsync(Uri? simulator, CancellationToken cancel)
    {
        if (simulator is null)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(simulator, "admin/gpus"), cancel));
            var result = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var gpu in doc.RootElement.EnumerateArray())
            {
                if (gpu.TryGetProperty("id", out var id) && gpu.TryGetProperty("jobsServed", out var served) && served.TryGetInt64(out var n))
                {
                    result[id.GetString() ?? ""] = n;
                }
            }

            return result;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
