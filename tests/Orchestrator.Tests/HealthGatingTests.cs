using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LivepeerAspire.Orchestrator.Tests;

public sealed class HealthGatingTests
{
    private static string Models(FakeRunner runner) =>
        $$"""[{"pipeline":"text-to-image","model_id":"stabilityai/sdxl-turbo","url":"{{runner.Url}}"}]""";

    private static StringContent T2i => new("""{"prompt":"x"}""", Encoding.UTF8, "application/json");

    [Fact]
    public async Task Health_is_503_and_jobs_get_insufficient_capacity_until_the_runner_answers_then_200()
    {
        await using var runner = await FakeRunner.StartAsync();
        runner.HealthStatus = null;
        await using var orch = await OrchestratorHost.StartAsync(Models(runner));

        var health = await orch.Client.GetAsync("/health");
        health.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var job = await orch.Client.PostAsync("/text-to-image", T2i);
        job.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await Errors.DetailAsync(job)).ShouldBe("insufficient capacity");
        runner.Jobs.ShouldBeEmpty();

        runner.HealthStatus = "OK";
        await orch.WaitReadyAsync();
        (await orch.Client.PostAsync("/text-to-image", T2i)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Loading_counts_as_ready()
    {
        await using var runner = await FakeRunner.StartAsync();
        runner.HealthStatus = "LOADING";
        await using var orch = await OrchestratorHost.StartAsync(Models(runner));

        await orch.WaitReadyAsync();
    }

    [Fact]
    public async Task A_200_without_json_is_not_ready()
    {
        await using var runner = await FakeRunner.StartAsync();
        runner.HealthIsJson = false;
        await using var orch = await OrchestratorHost.StartAsync(Models(runner));
        await Task.Delay(300);

        (await orch.Client.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);

        runner.HealthIsJson = true;
        await orch.WaitReadyAsync();
    }

    [Fact]
    public async Task Error_aborts_the_runner_start_and_health_stays_unhealthy_with_the_reason()
    {
        await using var runner = await FakeRunner.StartAsync();
        runner.HealthStatus = "ERROR";
        await using var orch = await OrchestratorHost.StartAsync(Models(runner));

        var status = "";
        for (var i = 0; i < 300 && !status.Contains("\"Failed\""); i++)
        {
            await Task.Delay(100);
            status = await orch.Client.GetStringAsync("/status");
        }

        status.ShouldContain("runner reported ERROR");
        runner.HealthStatus = "OK";
        await Task.Delay(300);
        (await orch.Client.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, "go-livepeer does not retry a runner that said ERROR");
    }

    [Fact]
    public async Task A_runner_that_misses_its_start_up_budget_stops_the_orchestrator_when_configured_to()
    {
        await using var runner = await FakeRunner.StartAsync();
        runner.HealthStatus = null;
        await using var orch = await OrchestratorHost.StartAsync(Models(runner), new()
        {
            ["Orchestrator:RunnerStartupTimeout"] = "00:00:00.300",
            ["Orchestrator:StopOnRunnerFailure"] = "true",
        });
        var lifetime = orch.App.Services.GetRequiredService<IHostApplicationLifetime>();

        await Task.WhenAny(Task.Delay(TimeSpan.FromSeconds(30)), Task.Delay(Timeout.Infinite, lifetime.ApplicationStopping).ContinueWith(_ => { }));

        lifetime.ApplicationStopping.IsCancellationRequested.ShouldBeTrue();
        Environment.ExitCode = 0;
    }

    [Fact]
    public async Task A_ready_runner_that_stops_answering_health_takes_no_jobs_and_leaves_discovery_until_it_answers_again()
    {
        await using var runner = await FakeRunner.StartAsync();
        await using var orch = await OrchestratorHost.StartAsync(Models(runner), new() { ["Orchestrator:RunnerHealthInterval"] = "50ms" });
        await orch.WaitReadyAsync();
        (await orch.Client.PostAsync("/text-to-image", T2i)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await CapacityAsync(orch)).ShouldBe(1u);

        runner.HealthStatus = null;
        await WaitUntilAsync(async () => await CapacityAsync(orch) is null);

        var refused = await orch.Client.PostAsync("/text-to-image", T2i);
        refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await Errors.DetailAsync(refused)).ShouldBe("insufficient capacity");
        var health = await orch.Client.GetAsync("/health");
        health.StatusCode.ShouldBe(HttpStatusCode.OK, "degraded, not down: the orchestrator itself still serves");
        (await health.Content.ReadAsStringAsync()).ShouldBe("Degraded");

        runner.HealthStatus = "OK";
        await WaitUntilAsync(async () => await CapacityAsync(orch) == 1u);
        (await orch.Client.PostAsync("/text-to-image", T2i)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>The text-to-image capacity GetOrchestrator advertises; null when the capability is not offered.</summary>
    private static async Task<uint?> CapacityAsync(OrchestratorHost orch)
    {
        var content = new ByteArrayContent([]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
        var response = await orch.Client.PostAsync("/getOrchestrator", content);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var info = Protocol.Net.OrchestratorInfo.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        return info.Capabilities.Capacities.TryGetValue(27, out var capacity) ? capacity : null;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        (await condition()).ShouldBeTrue("the condition did not hold within 15 s");
    }
}
