using System.Diagnostics;
using System.Net;
using System.Text.Json;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Gateway.Tests.Api;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Tests.Forwarding;

public sealed class FailoverTests
{
    private const string Llama = "meta-llama/llama-3.1-8B-Instruct";
    private static readonly object T2iBody = new { prompt = "a cat", model_id = "stabilityai/sdxl-turbo" };

    private static FakeModel[] Models(int _) =>
    [
        new(PipelineCatalog.Llm, Llama),
        new(PipelineCatalog.TextToImage, "stabilityai/sdxl-turbo"),
    ];

    private static async Task<HttpResponseMessage> T2iAsync(GatewayHost gw) => await gw.Client.PostAsync("/text-to-image", FirstRoutesTests.Json(T2iBody));

    private static bool InPool(GatewayHost gw, FakeOrchestrator fake, Pipeline pipeline, string model) =>
        gw.Get<AiSessionManager>().SelectorFor(pipeline, model).WarmPool.Contains(fake.Key);

    [Fact]
    public async Task Insufficient_capacity_moves_to_the_next_orchestrator_without_suspending()
    {
        await using var gw = await GatewayHost.StartAsync(2, Models);
        var full = gw.Orchestrators[0];
        full.Mode = FakeMode.Capacity;
        for (var i = 0; i < 4; i++)
        {
            var response = await T2iAsync(gw);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            response.Headers.GetValues("Livepeer-Orchestrator").Single().ShouldBe(gw.Orchestrators[1].Url);
        }

        full.JobCount.ShouldBeGreaterThan(0);
        InPool(gw, full, PipelineCatalog.TextToImage, "stabilityai/sdxl-turbo").ShouldBeTrue();
    }

    [Fact]
    public async Task Every_orchestrator_at_capacity_gives_503_that_says_so_once_the_queue_wait_runs_out()
    {
        await using var gw = await GatewayHost.StartAsync(2, Models, new() { ["Queue:MaxWait"] = "00:00:02", ["Queue:RetryAfter"] = "00:00:04" });
        foreach (var o in gw.Orchestrators)
        {
            o.Mode = FakeMode.Capacity;
        }

        var response = await T2iAsync(gw);
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var msg = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetProperty("msg").GetString();
        msg!.ShouldContain("insufficient capacity");
        msg!.ShouldContain("stayed at capacity while this job waited");
        response.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(4));
        int.Parse(response.Headers.GetValues("Livepeer-Attempts").Single()).ShouldBeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task A_hung_orchestrator_is_left_behind_within_the_deadline_and_suspended()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Timeouts:Pipelines:text-to-image:Deadline"] = "00:00:20",
            ["Timeouts:Pipelines:text-to-image:AttemptTimeout"] = "00:00:01",
        };
        await using var gw = await GatewayHost.StartAsync(2, Models, settings);
        var hung = gw.Orchestrators[0];
        hung.Mode = FakeMode.Hang;
        for (var i = 0; i < 4; i++)
        {
            var watch = Stopwatch.StartNew();
            var response = await T2iAsync(gw);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20));
            response.Headers.GetValues("Livepeer-Orchestrator").Single().ShouldBe(gw.Orchestrators[1].Url);
        }

        hung.JobCount.ShouldBe(1);
        InPool(gw, hung, PipelineCatalog.TextToImage, "stabilityai/sdxl-turbo").ShouldBeFalse();
        (await gw.Client.GetStringAsync("/metrics")).ShouldContain("reason=\"Timeout\"");
    }

    [Fact]
    public async Task An_erroring_orchestrator_is_suspended_and_traffic_moves_away()
    {
        await using var gw = await GatewayHost.StartAsync(3, Models);
        var bad = gw.Orchestrators[1];
        bad.Mode = FakeMode.Error;
        var attempts = new List<int>();
        for (var i = 0; i < 9; i++)
        {
            var response = await T2iAsync(gw);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            attempts.Add(int.Parse(response.Headers.GetValues("Livepeer-Attempts").Single()));
        }

        bad.JobCount.ShouldBe(1);
        attempts.Count(a => a == 2).ShouldBe(1);
        InPool(gw, bad, PipelineCatalog.TextToImage, "stabilityai/sdxl-turbo").ShouldBeFalse();
        var view = JsonDocument.Parse(await gw.Client.GetStringAsync("/orchestrators")).RootElement;
        view.GetProperty("suspended").EnumerateArray().Select(s => s.GetProperty("orchestrator").GetString()).ShouldContain(bad.Key);
    }

    [Fact]
    public async Task A_bad_request_reported_by_the_orchestrator_goes_back_to_the_client()
    {
        await using var gw = await GatewayHost.StartAsync(2, Models);
        foreach (var o in gw.Orchestrators)
        {
            o.Mode = FakeMode.BadRequest;
        }

        var response = await T2iAsync(gw);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetProperty("msg").GetString()!
            .ShouldContain("pipeline configured with");
        gw.Orchestrators.Sum(o => o.JobCount).ShouldBe(1);
    }

    [Fact]
    public async Task A_stream_without_a_first_token_fails_over_within_the_first_token_deadline()
    {
        await using var gw = await GatewayHost.StartAsync(2, Models, new() { ["Timeouts:FirstToken"] = "00:00:01" });
        var silent = gw.Orchestrators[0];
        silent.Mode = FakeMode.NoFirstToken;
        for (var i = 0; i < 2; i++)
        {
            var watch = Stopwatch.StartNew();
            var response = await gw.Client.PostAsync("/llm", FirstRoutesTests.Json(new { model = Llama, messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 8, stream = true }));
            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
            watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15));
            text.ShouldContain("\"finish_reason\":\"stop\"");
            response.Headers.GetValues("Livepeer-Orchestrator").Single().ShouldBe(gw.Orchestrators[1].Url);
        }

        silent.JobCount.ShouldBe(1);
    }

    [Fact]
    public async Task A_started_stream_is_never_switched_and_ends_with_an_error_chunk()
    {
        await using var gw = await GatewayHost.StartAsync(2, Models);
        foreach (var o in gw.Orchestrators)
        {
            o.Mode = FakeMode.BreakMidStream;
        }

        var response = await gw.Client.PostAsync("/llm", FirstRoutesTests.Json(new { model = Llama, messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 8, stream = true }));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        events.Length.ShouldBe(2);
        var last = JsonDocument.Parse(events[^1]["data: ".Length..]).RootElement;
        last.GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldBe("error");
        last.GetProperty("error").GetProperty("message").GetString()!.ShouldNotBeEmpty();
        gw.Orchestrators.Sum(o => o.JobCount).ShouldBe(1);
    }

    [Fact]
    public async Task A_broken_openai_stream_ends_with_an_error_event_and_done()
    {
        await using var gw = await GatewayHost.StartAsync(1, Models);
        gw.Orchestrators[0].Mode = FakeMode.BreakMidStream;
        var response = await gw.Client.PostAsync("/v1/chat/completions", FirstRoutesTests.Json(new { model = Llama, messages = new[] { new { role = "user", content = "hi" } }, stream = true }));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        events[^1].ShouldBe("data: [DONE]");
        JsonDocument.Parse(events[^2]["data: ".Length..]).RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe("api_error");
        JsonDocument.Parse(events[0]["data: ".Length..]).RootElement.GetProperty("object").GetString().ShouldBe("chat.completion.chunk");
    }

    [Fact]
    public async Task Hedging_sends_a_second_attempt_to_another_orchestrator_when_the_first_is_slow()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Timeouts:Hedging"] = "true",
            ["Timeouts:HedgeAfterShare"] = "0.05",
            ["Timeouts:Pipelines:text-to-image:Deadline"] = "00:00:30",
            ["Timeouts:Pipelines:text-to-image:AttemptTimeout"] = "00:00:20",
        };
        await using var gw = await GatewayHost.StartAsync(2, Models, settings);
        var slow = gw.Orchestrators.OrderBy(o => o.Key, StringComparer.Ordinal).First();
        slow.Delay = TimeSpan.FromSeconds(15);
        var fast = gw.Orchestrators.Single(o => o != slow);

        var response = await T2iAsync(gw);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Headers.GetValues("Livepeer-Orchestrator").Single().ShouldBe(fast.Url);
        response.Headers.GetValues("Livepeer-Attempts").Single().ShouldBe("2");
        (await gw.Client.GetStringAsync("/metrics")).ShouldContain("livepeer_gateway_hedges_total{pipeline=\"text-to-image\"} 1");
    }
}

public sealed class DeadlineTests
{
    [Fact]
    public async Task The_client_deadline_header_bounds_the_whole_job_and_the_503_says_why()
    {
        await using var gw = await GatewayHost.StartAsync(1, _ => [new(PipelineCatalog.TextToImage, "stabilityai/sdxl-turbo")]);
        // Discover first: on a busy machine the first request's discovery alone can use up an 800 ms deadline
        // before any attempt, and the 503 then (rightly) names the deadline instead of the attempt timeout.
        (await gw.Client.PostAsync("/text-to-image", FirstRoutesTests.Json(new { prompt = "x" }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        gw.Orchestrators[0].Delay = TimeSpan.FromSeconds(10);
        var request = new HttpRequestMessage(HttpMethod.Post, "/text-to-image") { Content = FirstRoutesTests.Json(new { prompt = "x" }) };
        request.Headers.Add("Livepeer-Deadline-Ms", "800");
        var watch = Stopwatch.StartNew();
        var response = await gw.Client.SendAsync(request);
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(8));
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var msg = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetProperty("msg").GetString()!;
        msg.ShouldContain("attempt timeout");
    }
}
