using System.Text;
using LivepeerAspire.AppHost.Hosting;
using LivepeerAspire.AppHost.Topology;
using Microsoft.Playwright;

namespace LivepeerAspire.AppHost.Tests.Dashboard;

/// <summary>
/// Debian's chromium driven by Playwright (no browser download): the dashboard of the default topology shows every
/// resource running and the network view filled; the screenshots go to docs/images for the README.
/// </summary>
public sealed class DashboardBrowserTests
{
    private static readonly string[] ChromiumFlags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    [Fact]
    public async Task Dashboard_shows_every_resource_running_and_the_network_view_filled()
    {
        var root = DistributedApplicationOptions.FindRepositoryRoot();
        await using var network = await LivepeerNetwork.StartAsync(new LivepeerNetworkOptions
        {
            TopologyFile = TopologyHosting.DefaultTopologyFile(root),
            GatewayPort = 0,
            DashboardPort = 0,
        });
        await SendSomeTrafficAsync(network.GatewayUrl);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumFlags,
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1500, Height = 900 } });
        await page.GotoAsync(network.DashboardUrl!);

        var expected = network.App.Instances.Count;
        await page.WaitForFunctionAsync(
            $"() => {{ const rows = [...document.querySelectorAll('tr[data-resource]')]; return rows.length === {expected} && rows.every(r => r.dataset.state === 'running'); }}",
            null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        var names = await page.Locator("tr[data-resource]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.resource)");
        names.ShouldBe(network.App.Instances.Select(i => i.Name), ignoreOrder: true);
        await Screenshot(page, root, "dashboard-resources.png");

        await page.ClickAsync("button[data-tab=network]");
        await page.WaitForSelectorAsync("#tab-network[data-filled=true]", new PageWaitForSelectorOptions { Timeout = 30_000 });
        (await page.Locator(".orch").CountAsync()).ShouldBe(network.Composed.Network.Orchestrators.Count);
        (await page.Locator(".orch tr[data-gpu]").CountAsync()).ShouldBe(network.Composed.Network.Orchestrators.Sum(o => o.Gpus.Count));
        (await page.Locator("#orch-o3").InnerTextAsync()).ShouldContain("A100 80GB");
        (await page.Locator("#card-gateway").InnerTextAsync()).ShouldContain("running");
        await Task.Delay(2500); // one more poll so the figures are current in the picture
        await Screenshot(page, root, "dashboard.png");

        await page.ClickAsync("button[data-tab=resources]");
        await page.ClickAsync("button[data-logs=gateway]");
        await page.WaitForFunctionAsync("() => document.querySelector('#log-view').textContent.length > 0", null, new PageWaitForFunctionOptions { Timeout = 15_000 });
    }

    private static async Task Screenshot(IPage page, string root, string name)
    {
        var path = Path.Combine(root, "docs", "images", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        new FileInfo(path).Length.ShouldBeGreaterThan(10_000);
    }

    /// <summary>A few jobs so the gateway's figures are not empty; their outcome is not what this test checks.</summary>
    private static async Task SendSomeTrafficAsync(string gatewayUrl)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(gatewayUrl), Timeout = TimeSpan.FromSeconds(20) };
        var jobs = new List<Task>();
        for (var i = 0; i < 4; i++)
        {
            jobs.Add(Send(http, "/text-to-image", """{"model_id":"SG161222/RealVisXL_V4.0_Lightning","prompt":"a lighthouse at dusk","width":512,"height":512}"""));
            jobs.Add(Send(http, "/llm", """{"model":"meta-llama/Meta-Llama-3.1-8B-Instruct","messages":[{"role":"user","content":"hello"}],"max_tokens":16,"stream":false}"""));
        }

        await Task.WhenAll(jobs);
    }

    private static async Task Send(HttpClient http, string path, string json)
    {
        try
        {
            using var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
        }
    }
}
