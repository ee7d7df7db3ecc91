using System.Net.Http.Json;
using System.Text.Json;

namespace LivepeerAspire.Network.Tests.Infrastructure;

/// <summary>
/// What a person does on the dashboard, as calls to its API: press an orchestrator's fault buttons (hang, slow 10×,
/// crash, clear), stop/start/restart a resource, read the resources and the network view.
/// </summary>
public sealed class DashboardClient(string dashboardUrl) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false })
    {
        BaseAddress = new Uri(dashboardUrl),
        Timeout = TimeSpan.FromSeconds(30),
    };

    public Task HangAsync(string orchestrator) => FaultAsync(orchestrator, new { kind = "hang" });

    public Task SlowAsync(string orchestrator, double factor = 10) => FaultAsync(orchestrator, new { kind = "slow", factor });

    public Task CrashAsync(string orchestrator) => FaultAsync(orchestrator, new { kind = "crash" });

    public async Task ClearFaultsAsync(string orchestrator)
    {
        using var response = await _http.DeleteAsync($"/api/orchestrators/{Uri.EscapeDataString(orchestrator)}/faults");
        await EnsureAsync(response, $"clear faults on {orchestrator}");
    }

    /// <summary>Any fault the simulator admin API accepts, e.g. <c>new { kind = "errors", rate = 0.2 }</c>.</summary>
    public async Task FaultAsync(string orchestrator, object fault)
    {
        using var response = await _http.PostAsJsonAsync($"/api/orchestrators/{Uri.EscapeDataString(orchestrator)}/faults", fault);
        await EnsureAsync(response, $"fault {JsonSerializer.Serialize(fault)} on {orchestrator}");
    }

    /// <summary>Stop, start or restart a resource instance ("orchestrator-o1", "gateway", …).</summary>
    public async Task ResourceActionAsync(string resource, string action)
    {
        using var response = await _http.PostAsync($"/api/resources/{Uri.EscapeDataString(resource)}/{action}", null);
        await EnsureAsync(response, $"{action} {resource}");
    }

    public Task<JsonElement> GetResourcesAsync() => _http.GetFromJsonAsync<JsonElement>("/api/resources");

    public Task<JsonElement> GetNetworkAsync() => _http.GetFromJsonAsync<JsonElement>("/api/network");

    public void Dispose() => _http.Dispose();

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Dashboard refused to {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
