using System.Text;
using LivepeerAspire.AppHost.Resources;

namespace LivepeerAspire.AppHost.Commands;

/// <summary>The gateway's strategy switch in the dashboard: one command per selection strategy (<c>PUT /admin/selection</c>).</summary>
internal static class SelectionCommands
{
    public static readonly IReadOnlyList<string> Strategies = ["round-robin", "stake-price-latency", "adaptive"];

    public static IResourceBuilder<ServiceResource> WithSelectionCommands(this IResourceBuilder<ServiceResource> gateway)
    {
        foreach (var strategy in Strategies)
        {
            gateway.WithCommand($"selection-{strategy}", $"Selection: {strategy}",
                context => SwitchAsync(gateway.Url(), strategy, context.CancellationToken),
                new CommandOptions
                {
                    Description = $"Switch the gateway's orchestrator selection to {strategy}",
                    IconName = "ArrowRouting",
                    UpdateState = CommandState.WhileRunning,
                });
        }

        return gateway;
    }

    private static async Task<ExecuteCommandResult> SwitchAsync(string gatewayUrl, string strategy, CancellationToken ct)
    {
        using var http = LoopbackHttp.Create(TimeSpan.FromSeconds(5));
        try
        {
            using var content = new StringContent($$"""{"strategy":"{{strategy}}"}""", Encoding.UTF8, "application/json");
            using var response = await http.PutAsync($"{gatewayUrl}/admin/selection", content, ct);
            return response.IsSuccessStatusCode
                ? CommandResults.Success()
                : CommandResults.Failure($"the gateway refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return CommandResults.Failure($"the gateway at {gatewayUrl} did not answer ({e.Message}); is it running?");
        }
    }
}
