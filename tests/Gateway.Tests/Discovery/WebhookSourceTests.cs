using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Gateway.Forwarding;
using LivepeerAspire.Gateway.Tests.Fakes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Tests.Discovery;

/// <summary>The webhook pool against a real HTTP listener on 127.0.0.1; the cache runs on a manual clock.</summary>
public sealed class WebhookSourceTests : IDisposable
{
    private readonly GatewayHttp http = new();
    private readonly ManualTimeProvider clock = new();
    private readonly ListLogger<WebhookOrchestratorSource> logger = new();

    public void Dispose() => http.Dispose();

    [Fact]
    public async Task Reads_the_list_and_uses_it_for_the_refresh_interval()
    {
        await using var hook = await WebhookServer.StartAsync("""[{"address":"http://127.0.0.1:8935","score":1},{"Address":"https://10.0.0.2:8935/","Score":0.25},{"address":"http://127.0.0.1:8936"}]""");
        var source = Source(hook.Url);

        (await Urls(source)).ShouldBe(["http://127.0.0.1:8935", "https://10.0.0.2:8935", "http://127.0.0.1:8936"]);
        hook.Body = WebhookServer.List("http://127.0.0.1:9000");
        clock.Advance(TimeSpan.FromSeconds(59));
        (await Urls(source)).Count.ShouldBe(3);
        hook.Requests.ShouldBe(1);

        clock.Advance(TimeSpan.FromSeconds(1));
        (await Urls(source)).ShouldBe(["http://127.0.0.1:9000"]);
        hook.Requests.ShouldBe(2);
    }

    [Fact]
    public async Task An_unchanged_body_keeps_the_previous_list()
    {
        await using var hook = await WebhookServer.StartAsync(WebhookServer.List("http://127.0.0.1:8935"));
        var source = Source(hook.Url);
        var first = await source.GetOrchestratorUrlsAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(2));
        var second = await source.GetOrchestratorUrlsAsync(CancellationToken.None);
        hook.Requests.ShouldBe(2);
        second.ShouldBeSameAs(first);
    }

    [Fact]
    public async Task A_webhook_that_is_down_gives_no_orchestrators_and_a_warning_then_recovers()
    {
        var source = Source(WebhookServer.DeadUrl());
        (await source.GetOrchestratorUrlsAsync(CancellationToken.None)).ShouldBeEmpty();
        logger.At(LogLevel.Warning).ShouldHaveSingleItem().ShouldContain("no orchestrators until it answers");
    }

    [Fact]
    public async Task A_webhook_that_goes_down_keeps_the_last_good_list_and_is_asked_again_on_the_next_discovery()
    {
        var hook = await WebhookServer.StartAsync(WebhookServer.List("http://127.0.0.1:8935", "http://127.0.0.1:8936"));
        var source = Source(hook.Url);
        (await Urls(source)).Count.ShouldBe(2);
        await hook.DisposeAsync();
        clock.Advance(TimeSpan.FromMinutes(1));

        (await Urls(source)).Count.ShouldBe(2);
        (await Urls(source)).Count.ShouldBe(2);
        var warnings = logger.At(LogLevel.Warning).ToList();
        warnings.ShouldHaveSingleItem().ShouldContain("keeping the last good list of 2 orchestrator(s)");
        logger.At(LogLevel.Debug).ShouldHaveSingleItem().ShouldContain("still failing");
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"address":"http://127.0.0.1:8935"}""")]
    [InlineData("""[{"address":8935}]""")]
    [InlineData("""[{"address":"http://127.0.0.1:8935","score":"high"}]""")]
    [InlineData("""[{"address":"http://127.0.0.1:8935"}""")]
    public async Task Bad_json_keeps_the_last_good_list_with_a_warning(string body)
    {
        await using var hook = await WebhookServer.StartAsync(WebhookServer.List("http://127.0.0.1:8935"));
        var source = Source(hook.Url);
        (await Urls(source)).ShouldBe(["http://127.0.0.1:8935"]);

        hook.Body = body;
        clock.Advance(TimeSpan.FromMinutes(1));
        (await Urls(source)).ShouldBe(["http://127.0.0.1:8935"]);
        logger.At(LogLevel.Warning).ShouldHaveSingleItem().ShouldContain("not a JSON array");

        hook.Body = WebhookServer.List("http://127.0.0.1:8937");
        (await Urls(source)).ShouldBe(["http://127.0.0.1:8937"], "a failure is not cached: the next discovery asks again");
    }

    [Fact]
    public async Task Bad_json_before_any_good_answer_gives_no_orchestrators()
    {
        await using var hook = await WebhookServer.StartAsync("<html>oops</html>");
        (await Source(hook.Url).GetOrchestratorUrlsAsync(CancellationToken.None)).ShouldBeEmpty();
        logger.At(LogLevel.Warning).ShouldHaveSingleItem().ShouldContain("no orchestrators until it answers");
    }

    [Fact]
    public async Task A_non_2xx_answer_is_a_failure_even_with_a_list_in_the_body()
    {
        await using var hook = await WebhookServer.StartAsync(WebhookServer.List("http://127.0.0.1:8935"));
        var source = Source(hook.Url);
        (await Urls(source)).Count.ShouldBe(1);
        hook.Status = 503;
        hook.Body = WebhookServer.List("http://127.0.0.1:9999");
        clock.Advance(TimeSpan.FromMinutes(1));
        (await Urls(source)).ShouldBe(["http://127.0.0.1:8935"]);
        logger.At(LogLevel.Warning).ShouldHaveSingleItem().ShouldContain("answered 503");
    }

    [Fact]
    public async Task A_webhook_that_does_not_answer_in_time_keeps_the_last_good_list()
    {
        await using var hook = await WebhookServer.StartAsync(WebhookServer.List("http://127.0.0.1:8935"));
        var source = Source(hook.Url, timeout: TimeSpan.FromMilliseconds(300));
        (await Urls(source)).Count.ShouldBe(1);
        hook.Delay = TimeSpan.FromSeconds(20);
        hook.Body = "[]";
        clock.Advance(TimeSpan.FromMinutes(1));

        var started = TimeProvider.System.GetTimestamp();
        (await Urls(source)).ShouldBe(["http://127.0.0.1:8935"]);
        TimeProvider.System.GetElapsedTime(started).ShouldBeLessThan(TimeSpan.FromSeconds(10));
        logger.At(LogLevel.Warning).ShouldHaveSingleItem().ShouldContain("no answer within 0.3 s");
    }

    [Fact]
    public async Task Unusable_entries_are_skipped_with_a_warning_and_the_rest_are_kept()
    {
        await using var hook = await WebhookServer.StartAsync("""
            [{"address":"http://127.0.0.1:8935","score":0},
             {"address":"","score":1},
             {"score":1},
             null,
             {"address":"/relative/orchestrator","score":1},
             {"address":"ftp://127.0.0.1:21","score":1},
             {"address":"http://127.0.0.1:8936","score":-1},
             {"address":"http://127.0.0.1:8935/","score":1}]
            """);

        (await Urls(Source(hook.Url))).ShouldBe(["http://127.0.0.1:8935"]);
        var warnings = logger.At(LogLevel.Warning).ToList();
        warnings.Count.ShouldBe(3);
        warnings.ShouldContain(w => w.Contains("'/relative/orchestrator' is not an absolute http(s) URL"));
        warnings.ShouldContain(w => w.Contains("'ftp://127.0.0.1:21'"));
        warnings.ShouldContain(w => w.Contains("score -1, below 0"));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("null")]
    public async Task An_empty_list_is_a_good_answer(string body)
    {
        await using var hook = await WebhookServer.StartAsync(body);
        (await Source(hook.Url).GetOrchestratorUrlsAsync(CancellationToken.None)).ShouldBeEmpty();
        logger.At(LogLevel.Warning).ShouldBeEmpty();
    }

    [Fact]
    public async Task Concurrent_discoveries_share_one_request()
    {
        await using var hook = await WebhookServer.StartAsync(WebhookServer.List("http://127.0.0.1:8935"));
        hook.Delay = TimeSpan.FromMilliseconds(300);
        var source = Source(hook.Url);
        var all = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => source.GetOrchestratorUrlsAsync(CancellationToken.None).AsTask()));
        all.ShouldAllBe(urls => urls.Count == 1);
        hook.Requests.ShouldBe(1);
    }

    [Theory]
    [InlineData("/orchestrators")]
    [InlineData("orchestrators.example")]
    [InlineData("ftp://127.0.0.1/orchestrators")]
    [InlineData("file:///etc/orchestrators.json")]
    public void A_relative_or_non_http_webhook_url_is_refused(string url)
    {
        new DiscoveryOptions { OrchWebhookUrl = url }.Validate()
            .ShouldHaveSingleItem().ShouldBe($"Discovery:OrchWebhookUrl '{url}' is not an absolute http(s) URL");
    }

    [Fact]
    public void Refresh_interval_and_timeout_must_be_positive()
    {
        var errors = new DiscoveryOptions { OrchWebhookUrl = "http://127.0.0.1:1/", WebhookRefreshInterval = TimeSpan.Zero, WebhookTimeout = TimeSpan.FromSeconds(-1) }.Validate().ToList();
        errors.Count.ShouldBe(2);
        errors.ShouldContain(e => e.StartsWith("Discovery:WebhookRefreshInterval", StringComparison.Ordinal));
        errors.ShouldContain(e => e.StartsWith("Discovery:WebhookTimeout", StringComparison.Ordinal));
    }

    private WebhookOrchestratorSource Source(string url, TimeSpan? timeout = null) =>
        new(http, clock, Options.Create(new DiscoveryOptions { OrchWebhookUrl = url, WebhookTimeout = timeout ?? TimeSpan.FromSeconds(3) }), logger);

    private static async Task<List<string>> Urls(IOrchestratorSource source) =>
        (await source.GetOrchestratorUrlsAsync(CancellationToken.None)).Select(OrchestratorKey.Of).ToList();
}
