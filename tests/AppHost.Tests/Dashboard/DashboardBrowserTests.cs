using System.Net;
using System.Text;
using LivepeerAspire.AppHost.Tests.Support;
using LivepeerAspire.AppHost.Topology;
using Microsoft.Playwright;

namespace LivepeerAspire.AppHost.Tests.Dashboard;

/// <summary>
/// The real Aspire dashboard of the default network in Debian's chromium (Playwright, no browser download): every
/// resource Running, a fault button pressed on an orchestrator, the gateway routing around it, the gateway's traces,
/// and the network view the gateway links to. The screenshots go to docs/images for the README.
/// </summary>
public sealed class DashboardBrowserTests
{
    private const string TextToImage = """{"model_id":"SG161222/RealVisXL_V4.0_Lightning","prompt":"a lighthouse at dusk","width":512,"height":512}""";

    [Fact]
    public async Task The_aspire_dashboard_shows_the_network_runs_a_fault_command_and_has_the_gateways_traces()
    {
        var root = TestApps.RepositoryRoot;
        var runDir = Directory.CreateTempSubdirectory("dashboard-run-").FullName;
        // As a user starts it (`dotnet run --project AppHost`), on free ports so a running network is not disturbed.
        await using var host = AppHostProcess.Start("--topology", TopologyHosting.DefaultTopologyFile(root), "--gateway-port", "0", "--dashboard-port", "0", "--run-dir", runDir);
        try
        {
            var gatewayUrl = await host.WaitForLineAsync("Gateway", TimeSpan.FromMinutes(3));
            var dashboardUrl = await host.WaitForLineAsync("Dashboard", TimeSpan.FromSeconds(10));
            var healthy = await host.WaitForLineAsync("resources healthy in", TimeSpan.FromSeconds(30), separator: "", contains: true);
            healthy.ShouldNotContain("failed");
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(gatewayUrl), Timeout = TimeSpan.FromSeconds(60) };
            await SendAsync(http, "/llm", """{"model":"meta-llama/Meta-Llama-3.1-8B-Instruct","messages":[{"role":"user","content":"hello"}],"max_tokens":16,"stream":false}""");
            await SendAsync(http, "/text-to-image", TextToImage);
            var orchestrators = await OrchestratorUrlsAsync(http);

            await using var browser = await Support.Browser.LaunchAsync();
            var page = await browser.NewPageAsync();
            await page.GotoAsync(dashboardUrl);
            string[] resources = ["simulator", "ollama-o3-gpu0", "orchestrator-o1", "orchestrator-o2", "orchestrator-o3", "orchestrator-o4", "gateway"];
            foreach (var name in resources)
            {
                await page.GetByText(name, new PageGetByTextOptions { Exact = true }).First.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
            }

            await page.WaitForFunctionAsync(
                $"() => (document.body.innerText.match(/\\bRunning\\b/g) || []).length >= {resources.Length}",
                null, new PageWaitForFunctionOptions { Timeout = 60_000 });
            await Screenshot(page, root, "dashboard.png");

            // The fault button, as a person presses it: the orchestrator's row menu, then "Fault: crash".
            await PressCommandAsync(page, "orchestrator-o1", "Fault: crash");
            // The click returns before the command has reached every GPU: wait until o1 itself sees its
            // text-to-image runner down, or a job could still be sent to it before the crash (seen once in CI).
            using var o1 = new HttpClient(new SocketsHttpHandler { UseProxy = false, SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } })
            {
                BaseAddress = new Uri(orchestrators["o1"]),
            };
            await WaitUntilAsync(async () =>
            {
                using var status = System.Text.Json.JsonDocument.Parse(await o1.GetStringAsync("/status"));
                return status.RootElement.GetProperty("models").EnumerateArray()
                    .Single(m => m.GetProperty("pipeline").GetString() == "text-to-image")
                    .GetProperty("runners").EnumerateArray().All(r => r.GetProperty("state").GetString() != "Ready");
            }, "o1 to see its text-to-image GPU crashed");
            await WaitUntilAsync(async () =>
            {
                using var response = await http.PostAsync("/text-to-image", new StringContent(TextToImage, Encoding.UTF8, "application/json"));
                return response.StatusCode == HttpStatusCode.OK && Served(response) == orchestrators["o2"];
            }, "the gateway to serve from o2");
            for (var i = 0; i < 3; i++)
            {
                using var response = await http.PostAsync("/text-to-image", new StringContent(TextToImage, Encoding.UTF8, "application/json"));
                response.StatusCode.ShouldBe(HttpStatusCode.OK);
                Served(response).ShouldBe(orchestrators["o2"], "o1's GPUs are crashed, so every job goes to o2");
            }

            await PressCommandAsync(page, "orchestrator-o1", "Recover");

            await page.GotoAsync($"{dashboardUrl}/traces");
            await page.GetByText("gateway: POST /text-to-image").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
            await Screenshot(page, root, "dashboard-traces.png");

            await page.GotoAsync($"{gatewayUrl}/network");
            await page.WaitForSelectorAsync(".orch", new PageWaitForSelectorOptions { Timeout = 30_000 });
            (await page.Locator(".orch").CountAsync()).ShouldBe(4);
            await Screenshot(page, root, "network-view.png");
        }
        finally
        {
            await host.DisposeAsync();
            Directory.Delete(runDir, recursive: true);
        }
    }

    private static string Served(HttpResponseMessage response) => response.Headers.GetValues("Livepeer-Orchestrator").Single().TrimEnd('/');

    /// <summary>Name → URL of every orchestrator, from the gateway's network view data.</summary>
    private static async Task<Dictionary<string, string>> OrchestratorUrlsAsync(HttpClient http)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/network/orchestrators"));
        return doc.RootElement.EnumerateArray().ToDictionary(
            o => o.GetProperty("status").GetProperty("name").GetString()!,
            o => o.GetProperty("url").GetString()!.TrimEnd('/'));
    }

    private static async Task PressCommandAsync(IPage page, string resource, string command)
    {
        var row = page.Locator("fluent-data-grid-row, tr").Filter(new LocatorFilterOptions { HasText = resource }).First;
        await row.GetByRole(AriaRole.Button).Last.ClickAsync();
        await page.Locator("fluent-menu-item:visible:has-text(\"Commands\")").First.ClickAsync();
        // The row's "…" menu, then its Commands submenu; every row renders its menu, only the open one is visible.
        // The submenu's item is nested in the Commands item, which also "has" its text: take the innermost, the last.
        await page.Locator($"fluent-menu-item:visible:has-text(\"{command}\")").Last.ClickAsync();
    }

    private static async Task Screenshot(IPage page, string root, string name)
    {
        var path = Path.Combine(root, "docs", "images", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        new FileInfo(path).Length.ShouldBeGreaterThan(10_000);
    }

    private static async Task SendAsync(HttpClient http, string path, string json)
    {
        using var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(200);
        }
    }
}
