using System.Text.Json;
using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Load;
using LivepeerAspire.LoadTests.Running;
using LivepeerAspire.LoadTests.Stats;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LivepeerAspire.LoadTests.Tests;

public sealed class RunnerTests
{
    private static Scenario Scenario(string name)
    {
        ScenarioCatalog.TryResolve(name, out var s, out var error).ShouldBeTrue(error);
        return s!;
    }

    [Fact]
    public async Task A_stalled_target_shows_in_the_tail_and_no_sample_goes_missing()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stalled = false;
        await using var server = await FakeGateway.StartAsync(app => app.MapPost("/text-to-image", async (HttpContext ctx) =>
        {
            if (Volatile.Read(ref stalled))
            {
                await gate.Task;
            }

            await ctx.Response.WriteAsJsonAsync(new { images = Array.Empty<object>() });
        }));
        var scenario = Scenario("text-to-image");
        var plan = JobPlan.Create(scenario, new InjectSimulation(40, TimeSpan.FromSeconds(2)), TimeSpan.Zero, 1000, 1);
        using var http = RunExecutor.CreateHttpClient();
        var runner = new LoadRunner(http, TimeProvider.System);

        var run = runner.RunAsync(plan, new JobRequestFactory(server.Url, scenario, 1), new RunOptions { Gateway = server.Url, RequestTimeout = TimeSpan.FromSeconds(10) }, new RunProgress(), CancellationToken.None);
        await Task.Delay(500);
        Volatile.Write(ref stalled, true);
        await Task.Delay(800);
        Volatile.Write(ref stalled, false);
        gate.SetResult();
        var records = await run;

        records.Select(r => r.Index).ShouldBe(Enumerable.Range(0, plan.Requests.Count));
        records.ShouldAllBe(r => r.IsOk);
        var latency = Distribution.Of(records.Select(r => r.LatencyMs));
        latency.Max.ShouldBeGreaterThan(500);
        records.Count(r => r.LatencyMs > 300).ShouldBeGreaterThanOrEqualTo(8); // ~16 requests were due in the first 0.4 s of the stall
        latency.P95.ShouldBeGreaterThan(300);
    }

    [Fact]
    public async Task No_request_is_sent_before_its_intended_time()
    {
        // Task.Delay alone returns up to ~2 ms early; with an instant target that showed as negative latencies.
        await using var server = await FakeGateway.InstantAsync();
        var scenario = Scenario("text-to-image");
        var plan = JobPlan.Create(scenario, new InjectSimulation(250, TimeSpan.FromSeconds(1)), TimeSpan.Zero, 1000, 1);
        using var http = RunExecutor.CreateHttpClient();
        var runner = new LoadRunner(http, TimeProvider.System);

        var records = await runner.RunAsync(plan, new JobRequestFactory(server.Url, scenario, 1), new RunOptions { Gateway = server.Url }, new RunProgress(), CancellationToken.None);

        records.Count.ShouldBe(250);
        records.ShouldAllBe(r => r.IsOk);
        records.ShouldAllBe(r => r.LagMs >= 0);
        records.ShouldAllBe(r => r.LatencyMs >= r.ServiceMs && r.ServiceMs > 0);
    }

    [Fact]
    public async Task Latency_runs_from_the_intended_send_time_not_the_actual_one()
    {
        await using var server = await FakeGateway.InstantAsync();
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        using var http = RunExecutor.CreateHttpClient();
        var executor = new JobExecutor(http, clock);
        var start = clock.GetTimestamp();
        clock.Advance(TimeSpan.FromMilliseconds(300)); // the generator is 300 ms late
        var planned = new PlannedRequest(0, JobKind.TextToImage, TimeSpan.Zero);

        var record = await executor.ExecuteAsync(planned, new JobRequestFactory(server.Url, Scenario("text-to-image"), 1).Create(planned), start, TimeSpan.Zero, "measure", TimeSpan.FromSeconds(10), CancellationToken.None);

        record.Outcome.ShouldBe(Outcomes.Ok, record.Error);
        record.LatencyMs.ShouldBe(300);
        record.ServiceMs.ShouldBe(0);
        record.LagMs.ShouldBe(300);
        record.Orchestrator.ShouldBe("http://127.0.0.1:1/orch-a");
        record.Attempts.ShouldBe(1);
        record.FeeWei.ShouldBe("1000");
    }

    [Fact]
    public async Task Requests_still_in_flight_at_the_end_are_timeouts_not_dropped()
    {
        var first = 0;
        await using var server = await FakeGateway.StartAsync(app => app.MapPost("/text-to-image", async (HttpContext ctx) =>
        {
            if (Interlocked.Exchange(ref first, 1) == 0)
            {
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
            }

            await ctx.Response.WriteAsJsonAsync(new { images = Array.Empty<object>() });
        }));
        var scenario = Scenario("text-to-image");
        var plan = JobPlan.Create(scenario, new InjectSimulation(10, TimeSpan.FromSeconds(0.5)), TimeSpan.Zero, 1000, 1);
        using var http = RunExecutor.CreateHttpClient();

        var records = await new LoadRunner(http, TimeProvider.System).RunAsync(
            plan, new JobRequestFactory(server.Url, scenario, 1),
            new RunOptions { Gateway = server.Url, RequestTimeout = TimeSpan.FromSeconds(30), Drain = TimeSpan.FromMilliseconds(300) },
            new RunProgress(), CancellationToken.None);

        records.Count.ShouldBe(plan.Requests.Count);
        var cut = records.Single(r => !r.IsOk);
        cut.Outcome.ShouldBe(Outcomes.Timeout);
        cut.Error.ShouldBe("still in flight at the end of the run");
    }

    [Fact]
    public async Task Per_request_timeout_is_recorded_as_a_timeout()
    {
        await using var server = await FakeGateway.StartAsync(app => app.MapPost("/text-to-image", async (HttpContext ctx) =>
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted)));
        using var http = RunExecutor.CreateHttpClient();
        var planned = new PlannedRequest(0, JobKind.TextToImage, TimeSpan.Zero);

        var record = await new JobExecutor(http, TimeProvider.System).ExecuteAsync(
            planned, new JobRequestFactory(server.Url, Scenario("text-to-image"), 1).Create(planned), TimeProvider.System.GetTimestamp(),
            TimeSpan.Zero, "measure", TimeSpan.FromMilliseconds(200), CancellationToken.None);

        record.Outcome.ShouldBe(Outcomes.Timeout);
        record.Error.ShouldContain("within 0.2 s");
        record.LatencyMs.ShouldBeGreaterThanOrEqualTo(150);
    }

    [Fact]
    public async Task Streamed_llm_gives_ttft_inter_token_gaps_tokens_and_headers()
    {
        await using var server = await FakeGateway.StartAsync(app => app.MapPost("/llm", async (HttpContext ctx) =>
        {
            using var doc = await JsonDocument.ParseAsync(ctx.Request.Body);
            doc.RootElement.GetProperty("stream").GetBoolean().ShouldBeTrue();
            doc.RootElement.GetProperty("max_tokens").GetInt32().ShouldBe(64);
            FakeGateway.SetLivepeerHeaders(ctx, "http://127.0.0.1:2/orch-b", 2, "640");
            ctx.Response.ContentType = "text/event-stream";
            for (var i = 1; i <= 6; i++)
            {
                var last = i == 6;
                var chunk = new
                {
                    id = "x",
                    model = "m",
                    created = 1,
                    usage = new { prompt_tokens = 3, completion_tokens = Math.Min(i, 5), total_tokens = 3 + Math.Min(i, 5) },
                    choices = new[] { new { index = 0, finish_reason = last ? "stop" : "", delta = new { role = "assistant", content = last ? "" : "tok " } } },
                };
                await ctx.Response.WriteAsync("data: " + JsonSerializer.Serialize(chunk) + "\n\n");
                await ctx.Response.Body.FlushAsync();
                await Task.Delay(30);
            }
        }));
        using var http = RunExecutor.CreateHttpClient();
        var planned = new PlannedRequest(0, JobKind.LlmStream, TimeSpan.Zero);

        var record = await new JobExecutor(http, TimeProvider.System).ExecuteAsync(
            planned, new JobRequestFactory(server.Url, Scenario("llm-stream"), 1).Create(planned), TimeProvider.System.GetTimestamp(),
            TimeSpan.Zero, "measure", TimeSpan.FromSeconds(10), CancellationToken.None);

        record.Outcome.ShouldBe(Outcomes.Ok, record.Error);
        record.Tokens.ShouldBe(5);
        record.TtftMs.ShouldNotBeNull();
        record.ItlMs.Count.ShouldBe(4);
        record.ItlMs.Sum().ShouldBeGreaterThan(60); // the server paused 30 ms between chunks; single gaps may coalesce
        record.TtftMs!.Value.ShouldBeLessThan(record.LatencyMs);
        record.Orchestrator.ShouldBe("http://127.0.0.1:2/orch-b");
        record.Attempts.ShouldBe(2);
        record.FeeWei.ShouldBe("640");
        record.TpotMs.ShouldNotBeNull();
    }

    [Theory]
    [InlineData("data: {\"error\":\"boom\"}\n\n", "stream error: boom")]
    [InlineData("data: {\"choices\":[{\"index\":0,\"finish_reason\":\"\",\"delta\":{\"role\":\"assistant\",\"content\":\"a\"}}]}\n\n", "stream ended without a finish_reason")]
    public async Task Broken_streams_are_errors(string body, string error)
    {
        await using var server = await FakeGateway.StartAsync(app => app.MapPost("/llm", async (HttpContext ctx) =>
        {
            ctx.Response.ContentType = "text/event-stream";
            await ctx.Response.WriteAsync(body);
        }));
        using var http = RunExecutor.CreateHttpClient();
        var planned = new PlannedRequest(0, JobKind.LlmStream, TimeSpan.Zero);

        var record = await new JobExecutor(http, TimeProvider.System).ExecuteAsync(
            planned, new JobRequestFactory(server.Url, Scenario("llm-stream"), 1).Create(planned), TimeProvider.System.GetTimestamp(),
            TimeSpan.Zero, "measure", TimeSpan.FromSeconds(10), CancellationToken.None);

        record.Outcome.ShouldBe(Outcomes.Error);
        record.Error.ShouldBe(error);
    }

    [Fact]
    public async Task Error_statuses_keep_the_gateway_message()
    {
        await using var server = await FakeGateway.StartAsync(app => app.MapPost("/text-to-image", () =>
            Results.Json(new { detail = new { msg = "insufficient capacity" } }, statusCode: 503)));
        using var http = RunExecutor.CreateHttpClient();
        var planned = new PlannedRequest(0, JobKind.TextToImage, TimeSpan.Zero);

        var record = await new JobExecutor(http, TimeProvider.System).ExecuteAsync(
            planned, new JobRequestFactory(server.Url, Scenario("text-to-image"), 1).Create(planned), TimeProvider.System.GetTimestamp(),
            TimeSpan.Zero, "measure", TimeSpan.FromSeconds(10), CancellationToken.None);

        record.Outcome.ShouldBe(Outcomes.Error);
        record.Status.ShouldBe(503);
        record.Error.ShouldBe("503 insufficient capacity");
    }

    [Fact]
    public async Task Closed_model_keeps_copies_busy_and_marks_warm_up()
    {
        await using var server = await FakeGateway.InstantAsync();
        var scenario = Scenario("text-to-image");
        var plan = JobPlan.Create(scenario, new KeepConstantSimulation(2, TimeSpan.FromMilliseconds(1500)), TimeSpan.FromMilliseconds(300), 1_000_000, 1);
        using var http = RunExecutor.CreateHttpClient();
        // The request cap must outlast the warm-up: on a quiet machine two copies send thousands of requests a second to
        // an instant gateway, and a cap of 5,000 once ended the run inside the warm-up, with no measure phase.
        (await http.PostAsync(new Uri(server.Url, "text-to-image"), new StringContent("{}"))).EnsureSuccessStatusCode(); // first call pays for JIT and connect

        var records = await new LoadRunner(http, TimeProvider.System).RunAsync(
            plan, new JobRequestFactory(server.Url, scenario, 1), new RunOptions { Gateway = server.Url }, new RunProgress(), CancellationToken.None);

        records.ShouldNotBeEmpty();
        records.ShouldAllBe(r => r.IsOk);
        records.ShouldContain(r => r.Phase == "warmup");
        records.ShouldContain(r => r.Phase == "measure");
        records.ShouldAllBe(r => r.LagMs == 0);
    }
}
