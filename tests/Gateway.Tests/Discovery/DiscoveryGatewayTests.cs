using System.Net;
using System.Text;
using System.Text.Json;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Pipelines;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Tests.Discovery;

/// <summary>The three discovery options through the real gateway host, against fake orchestrators and a real webhook.</summary>
public sealed class DiscoveryGatewayTests
{
    private const string Llama = "meta-llama/llama-3.1-8B-Instruct";

    [Theory]
    [InlineData("Discovery:OrchBlocklist", "0xabc", "Discovery:OrchBlocklist entry '0xabc' is not an ETH address")]
    [InlineData("Discovery:OrchMinLivepeerVersion", "latest", "Discovery:OrchMinLivepeerVersion 'latest' is not a semantic version")]
    [InlineData("Discovery:OrchWebhookUrl", "/orchestrators", "Discovery:OrchWebhookUrl '/orchestrators' is not an absolute http(s) URL")]
    [InlineData("Discovery:WebhookRefreshInterval", "00:00:00", "Discovery:WebhookRefreshInterval must be positive")]
    public async Task Bad_discovery_options_refuse_to_start_with_the_reason(string key, string value, string reason)
    {
        var ex = await Should.ThrowAsync<OptionsValidationException>(async () =>
        {
            await using var host = await GatewayHost.StartAsync([], new() { [key] = value });
        });
        ex.Message.ShouldContain(reason);
    }

    [Fact]
    public async Task The_webhook_wins_over_orchaddr()
    {
        await using var a = await FakeOrchestrator.StartAsync(new FakeModel(PipelineCatalog.Llm, Llama));
        await using var b = await FakeOrchestrator.StartAsync(new FakeModel(PipelineCatalog.Llm, Llama));
        await using var hook = await WebhookServer.StartAsync(WebhookServer.List(b.Url));
        await using var gw = await GatewayHost.StartAsync([], new()
        {
            ["Discovery:OrchAddr"] = a.Url,
            ["Discovery:OrchWebhookUrl"] = hook.Url,
        });

        (await OrchUris(gw)).ShouldBe([b.Url]);
        var response = await gw.Client.PostAsync("/llm", Llm());
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Headers.GetValues("Livepeer-Orchestrator").Single().ShouldBe(b.Url);
        a.DiscoveryCount.ShouldBe(0);
        hook.Requests.ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task A_webhook_that_is_down_leaves_the_gateway_up_with_no_orchestrators()
    {
        await using var a = await FakeOrchestrator.StartAsync(new FakeModel(PipelineCatalog.Llm, Llama));
        await using var gw = await GatewayHost.StartAsync([], new()
        {
            ["Discovery:OrchAddr"] = a.Url,
            ["Discovery:OrchWebhookUrl"] = WebhookServer.DeadUrl(),
        });

        (await OrchUris(gw)).ShouldBeEmpty();
        var response = await gw.Client.PostAsync("/llm", Llm());
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await response.Content.ReadAsStringAsync()).ShouldContain("no orchestrators available");
        a.DiscoveryCount.ShouldBe(0);
        (await gw.Client.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_blocklisted_orchestrator_gets_no_jobs()
    {
        await using var gw = await GatewayHost.StartAsync(2, _ => [new FakeModel(PipelineCatalog.Llm, Llama)], new()
        {
            ["Discovery:OrchBlocklist"] = "0x" + string.Concat(Enumerable.Repeat("AB", 20)),
        });
        // Fakes start with the zero address; give the first one the listed address before the first poll reads it.
        gw.Orchestrators[0].Address = Enumerable.Repeat((byte)0xab, 20).ToArray();

        var polled = await Poll(gw);
        polled.ShouldBe([gw.Orchestrators[1].Url]);
        for (var i = 0; i < 3; i++)
        {
            var response = await gw.Client.PostAsync("/llm", Llm());
            response.Headers.GetValues("Livepeer-Orchestrator").Single().ShouldBe(gw.Orchestrators[1].Url);
        }

        gw.Orchestrators[0].JobCount.ShouldBe(0);
    }

    [Fact]
    public async Task With_a_minimum_version_an_orchestrator_that_advertises_none_is_left_out()
    {
        // The fake orchestrators advertise no Capabilities.version, like a go-livepeer node built without one.
        await using var gw = await GatewayHost.StartAsync(1, _ => [new FakeModel(PipelineCatalog.Llm, Llama)], new()
        {
            ["Discovery:OrchMinLivepeerVersion"] = "0.8.0",
        });

        (await Poll(gw)).ShouldBeEmpty();
        (await gw.Client.PostAsync("/llm", Llm())).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        gw.Orchestrators[0].JobCount.ShouldBe(0);
    }

    private static async Task<List<string>> OrchUris(GatewayHost gw)
    {
        using var doc = JsonDocument.Parse(await gw.Client.GetStringAsync("/getNetworkCapabilities"));
        return doc.RootElement.GetProperty("orchestrators").EnumerateArray().Select(o => o.GetProperty("orch_uri").GetString()!).ToList();
    }

    /// <summary>A fresh no-caps poll (the start-up poll may have run before the test changed a fake).</summary>
    private static async Task<List<string>> Poll(GatewayHost gw)
    {
        var poller = gw.Get<LivepeerAspire.Gateway.Discovery.NetworkCapabilitiesPoller>();
        await poller.PollAsync(CancellationToken.None);
        return poller.Snapshot.Orchestrators.Select(o => o.OrchUri).ToList();
    }

    private static StringContent Llm() => new(
        JsonSerializer.Serialize(new { model = Llama, messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 8, stream = false }),
        Encoding.UTF8,
        "application/json");
}
