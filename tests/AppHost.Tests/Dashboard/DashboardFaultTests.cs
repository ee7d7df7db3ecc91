using System.Net;
using System.Text;
using System.Text.Json;
using LivepeerAspire.AppHost.Hosting;
using LivepeerAspire.AppHost.Tests.Support;
using LivepeerAspire.AppHost.Topology;
using Microsoft.Playwright;

namespace LivepeerAspire.AppHost.Tests.Dashboard;

/// <summary>
/// Issue 7's "done when": start a small network through the AppHost, press the dashboard's Hang button for one
/// orchestrator, and see the gateway route every job around it; then Clear.
/// </summary>
public sealed class DashboardFaultTests
{
    private const string Job = """{"model_id":"SG161222/RealVisXL_V4.0_Lightning","prompt":"a lighthouse at dusk","width":512,"height":512}""";

    [Fact]
    public async Task Hanging_an_orchestrator_from_the_dashboard_makes_the_gateway_route_around_it()
    {
        var root = DistributedApplicationOptions.FindRepositoryRoot();
        await using var network = await LivepeerNetwork.StartAsync(new LivepeerNetworkOptions
        {
            TopologyFile = Path.Combine(root, "tests", "AppHost.Tests", "topologies", "failover.json"),
        });
        var o1 = network.OrchestratorUrls["o1"];
        var o2 = network.OrchestratorUrls["o2"];
        using var gateway = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(network.GatewayUrl), Timeout = TimeSpan.FromSeconds(60) };

        var before = new List<(HttpStatusCode Status, string Orchestrator, int Attempts)>();
        for (var i = 0; i < 4; i++)
        {
            before.Add(await SendAsync(gateway));
        }

        before.ShouldAllBe(r => r.Status == HttpStatusCode.OK);
        before.Select(r => r.Orchestrator).Distinct().ShouldBe([o1, o2], ignoreOrder: true); // round-robin uses both

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(network.DashboardUrl + "/#network");
        await page.WaitForSelectorAsync("#orch-o1 button[data-fault=hang]", new PageWaitForSelectorOptions { Timeout = 30_000 });
        await page.ClickAsync("#orch-o1 button[data-fault=hang]");
        await page.WaitForSelectorAsync("#orch-o1 .badge.fault", new PageWaitForSelectorOptions { Timeout = 15_000 });
        (await page.Locator("#orch-o1 .badge.fault").First.InnerTextAsync()).ShouldContain("hang");
        (await page.Locator("#orch-o2 .badge.fault").CountAsync()).ShouldBe(0);

        var failoversBefore = await FailoversAsync(gateway);
        var after = new List<(HttpStatusCode Status, string Orchestrator, int Attempts)>();
        for (var i = 0; i < 6; i++)
        {
            after.Add(await SendAsync(gateway));
        }

        after.ShouldAllBe(r => r.Status == HttpStatusCode.OK, "every job succeeds although o1 hangs");
        after.ShouldAllBe(r => r.Orchestrator == o2, "only o2 serves while o1 hangs");
        after.Sum(r => r.Attempts - 1).ShouldBeGreaterThanOrEqualTo(1, "round-robin sent at least one job to the hung o1 first");
        (await FailoversAsync(gateway)).ShouldBeGreaterThan(failoversBefore);

        await page.ClickAsync("#orch-o1 button[data-fault=clear]");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#orch-o1 .badge.fault').length === 0", null, new PageWaitForFunctionOptions { Timeout = 15_000 });
    }

    private static async Task<(HttpStatusCode Status, string Orchestrator, int Attempts)> SendAsync(HttpClient gateway)
    {
        using var response = await gateway.PostAsync("/text-to-image", new StringContent(Job, Encoding.UTF8, "application/json"));
        var orchestrator = response.Headers.TryGetValues("Livepeer-Orchestrator", out var o) ? o.First().TrimEnd('/') : "";
        var attempts = response.Headers.TryGetValues("Livepeer-Attempts", out var a) && int.TryParse(a.First(), out var n) ? n : 0;
        return (response.StatusCode, orchestrator, attempts);
    }

    private static async Task<long> FailoversAsync(HttpClient gateway)
    {
        using var stats = JsonDocument.Parse(await gateway.GetStringAsync("/stats"));
        return stats.RootElement.GetProperty("failovers").GetInt64();
    }
}
