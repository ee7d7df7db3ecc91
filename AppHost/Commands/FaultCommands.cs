using System.Text;
using LivepeerAspire.AppHost.Resources;
using LivepeerAspire.AppHost.Topology;

namespace LivepeerAspire.AppHost.Commands;

/// <summary>
/// The dashboard's fault buttons on an orchestrator: each sets (or clears) a fault on every simulated GPU behind it
/// through the simulator's admin API, so the gateway's routing around it can be watched live.
/// </summary>
internal static class FaultCommands
{
    public static readonly IReadOnlyList<(string Name, string DisplayName, string? Body)> All =
    [
        ("fault-hang", "Fault: hang", """{"kind":"hang"}"""),
        ("fault-slow", "Fault: slow ×10", """{"kind":"slow","factor":10}"""),
        ("fault-errors", "Fault: 50 % errors", """{"kind":"errors","rate":0.5}"""),
        ("fault-crash", "Fault: crash", """{"kind":"crash"}"""),
        ("fault-clear", "Recover", null),
    ];

    public static IResourceBuilder<ServiceResource> WithFaultCommands(
        this IResourceBuilder<ServiceResource> orchestrator, IResourceBuilder<ServiceResource> simulator, IReadOnlyList<string> gpuIds)
    {
        foreach (var (name, displayName, body) in All)
        {
            orchestrator.WithCommand(name, displayName,
                context => SendAsync(simulator.Url(), SimulatorAdminToken.Of(simulator.Resource), gpuIds, body, context.CancellationToken),
                new CommandOptions
                {
                    Description = body is null ? "Clear every fault on this orchestrator's simulated GPUs" : $"POST {body} to each of its simulated GPUs",
                    IconName = body is null ? "ArrowCounterclockwise" : "Warning",
                    IsHighlighted = false,
                    UpdateState = CommandState.WhileRunning,
                });
        }

        return orchestrator;
    }

    private static async Task<ExecuteCommandResult> SendAsync(string simulatorUrl, string? token, IReadOnlyList<string> gpuIds, string? body, CancellationToken ct)
    {
        using var http = LoopbackHttp.Create(TimeSpan.FromSeconds(5));
        foreach (var gpu in gpuIds)
        {
            var uri = $"{simulatorUrl}/admin/gpus/{Uri.EscapeDataString(gpu)}/faults";
            try
            {
                using var request = body is null
                    ? new HttpRequestMessage(HttpMethod.Delete, uri)
                    : new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                if (token is not null)
                {
                    request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
                }

                using var response = await http.SendAsync(request, ct);
                if (!response.IsSuccessStatusCode)
                {
                    var text = await response.Content.ReadAsStringAsync(ct);
                    return CommandResults.Failure($"the simulator refused the fault for {gpu}: {(int)response.StatusCode} {text}");
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return CommandResults.Failure($"the simulator at {simulatorUrl} did not answer ({e.Message}); is it running?");
            }
        }

        return CommandResults.Success();
    }
}
