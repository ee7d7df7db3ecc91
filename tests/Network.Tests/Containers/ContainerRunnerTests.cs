using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using LivepeerAspire.Network.Tests.Support;
using static LivepeerAspire.Network.Tests.Support.GatewayResponses;

namespace LivepeerAspire.Network.Tests.Containers;

/// <summary>
/// Issue 18: a topology GPU with "runner": "container" is a container the AppHost starts (podman here); the gateway
/// reaches it through its orchestrator like any other GPU, and runner containers that cannot start fail alone.
/// </summary>
[Collection(ContainersNetwork.Name)]
public sealed class ContainerRunnerTests(ContainersNetworkFixture network)
{
    private const string Image = """{"model_id":"SG161222/RealVisXL_V4.0_Lightning","prompt":"a harbour","width":64,"height":64}""";

    [Fact]
    public async Task A_GPU_in_a_container_started_by_the_AppHost_serves_jobs_through_the_gateway()
    {
        network.Network.StateOf(ContainersNetworkFixture.ContainerRunner).ShouldBe(KnownResourceStates.Running);
        using var client = network.CreateClient();
        var servedBy = new List<string>();
        for (var i = 0; i < 6 && !servedBy.Contains("o2"); i++)
        {
            using var response = await client.PostAsync("/text-to-image", Json(Image));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            (await response.JsonAsync()).GetProperty("images")[0].GetProperty("url").GetString()!.ShouldStartWith("data:image/png;base64,");
            servedBy.Add(network.OrchestratorName(response.Orchestrator()));
        }

        servedBy.ShouldContain("o2", "round-robin reaches the orchestrator whose GPU is the container");
        servedBy.ShouldNotContain("o3");

        // The orchestrator read the container's /hardware/info: the simulated image says it is an RTX 3090.
        var capabilities = await client.GetStringAsync("/getNetworkCapabilities");
        capabilities.ShouldContain("NVIDIA GeForce RTX 3090");
    }

    [Fact]
    public async Task The_container_gets_its_aiModels_entry_and_optimization_flags_as_environment_as_go_livepeer_passes_them()
    {
        var log = await network.ContainerLogAsync(ContainersNetworkFixture.ContainerRunner);
        log.ShouldContain("PIPELINE=text-to-image MODEL_ID=SG161222/RealVisXL_V4.0_Lightning");
        log.ShouldContain("optimization flags: SFAST=true DEEPCACHE=false");
    }

    [Fact]
    public async Task A_runner_image_that_does_not_exist_fails_its_resource_with_the_engines_message_and_the_rest_runs()
    {
        network.Network.StateOf(ContainersNetworkFixture.MissingImageRunner).ShouldBe(KnownResourceStates.FailedToStart);
        network.Network.StateOf("orchestrator-o3").ShouldNotBe(KnownResourceStates.Running);
        var log = await network.LogOfAsync(ContainersNetworkFixture.MissingImageRunner);
        log.ShouldContain("localhost/livepeer-aspire/no-such-runner");

        network.Network.StateOf("gateway").ShouldBe(KnownResourceStates.Running);
        using var client = network.CreateClient();
        using var response = await client.PostAsync("/text-to-image", Json(Image));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_runner_container_that_exits_at_start_is_shown_exited_with_its_log_and_the_rest_runs()
    {
        network.Network.StateOf(ContainersNetworkFixture.ExitingRunner).ShouldBe(KnownResourceStates.Exited);
        network.Network.StateOf("orchestrator-o4").ShouldNotBe(KnownResourceStates.Running);

        // The dashboard's console log for the resource carries the runner's own reason and the exit the engine reported.
        var log = await network.LogOfAsync(ContainersNetworkFixture.ExitingRunner);
        log.ShouldContain("unknown GPU profile 'GTX 9999'");
        log.ShouldContain("exited with code");

        using var client = network.CreateClient();
        using var response = await client.PostAsync("/text-to-image", Json(Image));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        network.OrchestratorName(response.Orchestrator()).ShouldNotBe("o4");
    }

    [Fact]
    public async Task A_runner_container_that_never_passes_its_health_check_is_stopped_after_its_start_timeout_and_its_orchestrator_fails()
    {
        network.Network.StateOf(ContainersNetworkFixture.UnhealthyRunner).ShouldNotBe(KnownResourceStates.Running);
        network.Network.StateOf("orchestrator-o6").ShouldBe(KnownResourceStates.FailedToStart);

        var runnerLog = await network.LogOfAsync(ContainersNetworkFixture.UnhealthyRunner);
        runnerLog.ShouldContain("did not become healthy within 00:00:20");
        var orchestratorLog = await network.LogOfAsync("orchestrator-o6");
        orchestratorLog.ShouldContain("'runner-o6-gpu0' did not become healthy within 00:00:20 and was stopped");
    }

    [Fact]
    public async Task A_runner_container_that_stops_answering_is_reported_unhealthy_and_takes_no_jobs_until_it_answers_again()
    {
        // A paused container is a hung runner: its port accepts nothing, its /health times out.
        var id = await network.ContainerIdAsync(ContainersNetworkFixture.ContainerRunner);
        var (paused, pauseOutput) = await ContainersNetworkFixture.RunAsync(network.Engine, "pause", id);
        paused.ShouldBe(0, pauseOutput);
        try
        {
            await UntilAsync(async () => await RunnerStateAsync("o2") == "Unhealthy", "o2 reports its runner unhealthy");
            var served = (await StatusAsync("o2")).GetProperty("jobsServed").GetInt64();
            using var client = network.CreateClient();
            for (var i = 0; i < 6; i++)
            {
                using var response = await client.PostAsync("/text-to-image", Json(Image));
                response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
                network.OrchestratorName(response.Orchestrator()).ShouldNotBe("o2");
            }

            (await StatusAsync("o2")).GetProperty("jobsServed").GetInt64().ShouldBe(served, "o2 took no job while its runner was unhealthy");
        }
        finally
        {
            await ContainersNetworkFixture.RunAsync(network.Engine, "unpause", id);
        }

        await UntilAsync(async () => await RunnerStateAsync("o2") == "Ready", "o2 reports its runner ready again");
        using var again = network.CreateClient();
        var servedBy = new List<string>();
        for (var i = 0; i < 12 && !servedBy.Contains("o2"); i++)
        {
            using var response = await again.PostAsync("/text-to-image", Json(Image));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            servedBy.Add(network.OrchestratorName(response.Orchestrator()));
        }

        servedBy.ShouldContain("o2", "the gateway selects o2 again once its runner answers");
    }

    [Fact]
    public async Task Killing_a_runner_container_mid_job_fails_the_job_over_and_nothing_is_charged_for_the_lost_attempt()
    {
        // o5's runner holds every job, so the jobs sent there are in flight when its container is killed.
        using var runner = network.CreateClient(network.Network.UrlOf(ContainersNetworkFixture.KilledRunner));
        using (var hang = await runner.PostAsync("/admin/gpus/0/faults", Json("""{"kind":"hang"}""")))
        {
            hang.EnsureSuccessStatusCode();
        }

        var before = await StatusAsync("o5");
        using var client = network.CreateClient();
        var jobs = Enumerable.Range(0, 6).Select(_ => client.PostAsync("/text-to-image", Json(Image))).ToList();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await StatusAsync("o5")).GetProperty("models")[0].GetProperty("inUse").GetInt32() == 0)
        {
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), "round-robin sends some of the jobs to o5");
            await Task.Delay(100);
        }

        var id = await network.ContainerIdAsync(ContainersNetworkFixture.KilledRunner);
        var (killed, output) = await ContainersNetworkFixture.RunAsync(network.Engine, "kill", id);
        killed.ShouldBe(0, output);

        var responses = await Task.WhenAll(jobs);
        var unitsPerImage = new BigInteger(64 * 64);
        var prices = new Dictionary<string, BigInteger> { ["o1"] = 10_000, ["o2"] = 12_000 };
        foreach (var response in responses)
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var servedBy = network.OrchestratorName(response.Orchestrator());
            servedBy.ShouldNotBe("o5");
            // The client pays the orchestrator that served it, at its price, once: not the lost attempt on o5 as well.
            BigInteger.Parse(response.Headers.GetValues("Livepeer-Fee").Single(), CultureInfo.InvariantCulture).ShouldBe(prices[servedBy] * unitsPerImage);
        }

        responses.ShouldContain(r => r.Attempts() >= 2, "a job that was on o5 when its container died was failed over");
        var after = await StatusAsync("o5");
        after.GetProperty("jobsServed").GetInt64().ShouldBe(before.GetProperty("jobsServed").GetInt64(), "o5 served nothing");
        Wei(after, "feesDebitedWei").ShouldBe(Wei(before, "feesDebitedWei"), "o5 charged nothing for the jobs it lost");

        // The engine's view reaches the dashboard: the killed container is shown Exited.
        await network.Network.App.ResourceNotifications.WaitForResourceAsync(ContainersNetworkFixture.KilledRunner, KnownResourceStates.Exited)
            .WaitAsync(TimeSpan.FromSeconds(30));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    private async Task<string?> RunnerStateAsync(string orchestrator) =>
        (await StatusAsync(orchestrator)).GetProperty("models")[0].GetProperty("runners")[0].GetProperty("state").GetString();

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(90), what);
            await Task.Delay(250);
        }
    }

    private async Task<JsonElement> StatusAsync(string orchestrator)
    {
        using var client = network.CreateClient(network.OrchestratorUrls[orchestrator]);
        return JsonDocument.Parse(await client.GetStringAsync("/status")).RootElement.Clone();
    }

    private static BigInteger Wei(JsonElement status, string name) =>
        status.GetProperty(name) is { ValueKind: JsonValueKind.String } text
            ? BigInteger.Parse(text.GetString()!, CultureInfo.InvariantCulture)
            : new BigInteger(status.GetProperty(name).GetDecimal());
}
