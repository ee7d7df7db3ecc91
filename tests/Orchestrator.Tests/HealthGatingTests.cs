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
}
