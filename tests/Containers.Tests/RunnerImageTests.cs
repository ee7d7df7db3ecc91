using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using LivepeerAspire.Containers.Tests.Infrastructure;
using LivepeerAspire.Orchestrator;
using LivepeerAspire.Orchestrator.Models;
using LivepeerAspire.Orchestrator.Runners;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace LivepeerAspire.Containers.Tests;

/// <summary>
/// Issue 18: the local runner image, started with Testcontainers on the engine this machine has (podman's socket here),
/// passes the orchestrator's own runner checks (go-livepeer's /health wait, /hardware/info, /version) and serves a job
/// of the pipeline it was started for, configured by environment as go-livepeer configures livepeer/ai-runner.
/// </summary>
[Collection(Engine.Name)]
public sealed class RunnerImageTests(EngineFixture engine, ITestOutputHelper output)
{
    private const string ImageModel = "SG161222/RealVisXL_V4.0_Lightning";
    private const string LlmModel = "meta-llama/Meta-Llama-3.1-8B-Instruct";

    private IContainer Runner(string pipeline, string model, string gpu, params (string Key, string Value)[] environment)
    {
        var builder = new ContainerBuilder(engine.RunnerImage)
            .WithDockerEndpoint(engine.Endpoint.ToString())
            .WithLabel(EngineFixture.SessionLabel, engine.Session)
            .WithEnvironment("PIPELINE", pipeline)
            .WithEnvironment("MODEL_ID", model)
            .WithEnvironment("Simulator__Gpu", gpu)
            .WithEnvironment("Simulator__TimeScale", "0.01")
            .WithPortBinding(8000, assignRandomHostPort: true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPort(8000).ForPath("/health")));
        foreach (var (key, value) in environment)
        {
            builder = builder.WithEnvironment(key, value);
        }

        return builder.Build();
    }

    private static Uri BaseUrl(IContainer container) => new($"http://127.0.0.1:{container.GetMappedPublicPort(8000)}/");

    /// <summary>The orchestrator's start-up checks, run by its own RunnerStartup against the container's mapped port (no health watch afterwards).</summary>
    private static async Task<RunnerEndpoint> OrchestratorChecksAsync(Uri url, string pipeline, string model)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("aimodels-").FullName, "aiModels.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new[]
        {
            new { pipeline, model_id = model, url = url.ToString(), warm = true, capacity = 1, price_per_unit = 1 },
        }));
        var catalog = new ModelCatalog(AiModelsLoader.LoadFile(file, null));
        using var handler = new SocketsHttpHandler();
        var startup = new RunnerStartup(catalog, new RunnerHttp(handler), Options.Create(new OrchestratorOptions { RunnerHealthInterval = TimeSpan.Zero }), TimeProvider.System,
            new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance), NullLogger<RunnerStartup>.Instance);
        await startup.StartAsync(CancellationToken.None);
        await startup.ExecuteTask!.WaitAsync(TimeSpan.FromMinutes(1));
        File.Delete(file);
        return catalog.Runners.Single();
    }

    [Fact]
    public async Task A_text_to_image_container_passes_the_orchestrators_runner_checks_and_serves_a_job()
    {
        await using var container = Runner("text-to-image", ImageModel, "RTX 3090", ("SFAST", "true"));
        await container.StartAsync();
        output.WriteLine($"engine {engine.Engine} at {engine.Endpoint}; image {engine.RunnerImage}; container {container.Name} on {BaseUrl(container)}");

        var runner = await OrchestratorChecksAsync(BaseUrl(container), "text-to-image", ImageModel);
        runner.State.ShouldBe(RunnerState.Ready, runner.FailureReason);
        runner.LastStatus.ShouldBe("OK");
        runner.Version.ShouldNotBe("0.0.0", "the orchestrator read /version from the container");
        runner.Hardware!.Pipeline.ShouldBe("text-to-image");
        runner.Hardware.GpuInfo["0"].Name.ShouldBe("NVIDIA GeForce RTX 3090");

        using var client = new HttpClient { BaseAddress = BaseUrl(container) };
        using var response = await client.PostAsJsonAsync("text-to-image", new { prompt = "a harbour", width = 64, height = 64, model_id = ImageModel });
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("images")[0].GetProperty("url").GetString()!.ShouldStartWith("data:image/png;base64,");

        // go-livepeer passes optimization_flags as environment; the runner says at start which ones it got.
        var (stdout, _) = await container.GetLogsAsync();
        stdout.ShouldContain("optimization flags: SFAST=true");
    }

    [Fact]
    public async Task An_llm_container_serves_a_chat_completion_and_refuses_another_model_as_the_runner_does()
    {
        await using var container = Runner("llm", LlmModel, "H100 80GB");
        await container.StartAsync();

        var runner = await OrchestratorChecksAsync(BaseUrl(container), "llm", LlmModel);
        runner.State.ShouldBe(RunnerState.Ready, runner.FailureReason);
        runner.Hardware!.GpuInfo["0"].Name.ShouldContain("H100");

        using var client = new HttpClient { BaseAddress = BaseUrl(container) };
        using var response = await client.PostAsJsonAsync("llm", new { model = LlmModel, messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 8, stream = false });
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString().ShouldNotBeNullOrEmpty();

        using var wrong = await client.PostAsJsonAsync("llm", new { model = "some/other-model", messages = new[] { new { role = "user", content = "hi" } } });
        wrong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await wrong.Content.ReadAsStringAsync()).ShouldContain($"pipeline configured with {LlmModel} but called with some/other-model");
    }

    [Fact]
    public async Task A_container_started_for_an_unknown_pipeline_exits_with_the_reason_in_its_log()
    {
        await using var container = new ContainerBuilder(engine.RunnerImage)
            .WithDockerEndpoint(engine.Endpoint.ToString())
            .WithLabel(EngineFixture.SessionLabel, engine.Session)
            .WithEnvironment("PIPELINE", "text-to-sound")
            .Build();
        await container.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var exitCode = await container.GetExitCodeAsync(timeout.Token);

        exitCode.ShouldBe(2, "a configuration the runner cannot serve stops it, as ai-runner stops on an unknown PIPELINE");
        var (stdout, stderr) = await container.GetLogsAsync();
        (stdout + stderr).ShouldContain("unknown pipeline 'text-to-sound'");
    }
}
