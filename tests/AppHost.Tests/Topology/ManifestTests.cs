using System.Text.Json;
using LivepeerAspire.AppHost.Tests.Support;

namespace LivepeerAspire.AppHost.Tests.Topology;

/// <summary>The default topology's deployment manifest, published once for the class.</summary>
public sealed class DefaultManifestFixture : IAsyncLifetime
{
    private readonly string directory = Directory.CreateTempSubdirectory("manifest-").FullName;

    internal Manifest Manifest { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Manifest = await Manifest.PublishAsync(Path.Combine(TestApps.RepositoryRoot, "AppHost", "topologies", "default.json"), directory);

    public Task DisposeAsync()
    {
        Directory.Delete(directory, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>
/// <c>--publisher manifest</c>: every resource of the topology with its environment and bindings, as Aspire's
/// deployment tools read them, and the files (fleet, aiModels.json) the composition generated.
/// </summary>
public sealed class ManifestTests(DefaultManifestFixture fixture) : IClassFixture<DefaultManifestFixture>
{
    private Manifest Manifest => fixture.Manifest;

    [Fact]
    public void Every_resource_of_the_default_topology_is_a_dotnet_project_with_an_http_binding()
    {
        Manifest.Names.ShouldBe(["simulator", "orchestrator-o1", "orchestrator-o2", "ollama-o3-gpu0", "orchestrator-o3", "orchestrator-o4", "gateway"]);
        var projects = new Dictionary<string, string>
        {
            ["simulator"] = "Runner.Simulated/Runner.Simulated.csproj",
            ["ollama-o3-gpu0"] = "Runner.Ollama/Runner.Ollama.csproj",
            ["gateway"] = "Gateway/Gateway.csproj",
        };
        foreach (var name in Manifest.Names)
        {
            var resource = Manifest[name];
            resource.GetProperty("type").GetString().ShouldBe("project.v0");
            var project = Path.GetFullPath(Path.Combine(Manifest.Directory, resource.GetProperty("path").GetString()!));
            project.ShouldBe(Path.Combine(TestApps.RepositoryRoot, projects.GetValueOrDefault(name, "Orchestrator/Orchestrator.csproj")));
            File.Exists(project).ShouldBeTrue();
            // Orchestrators serve https (gRPC and the job routes on one port), as go-livepeer's do; the rest http.
            var scheme = name.StartsWith("orchestrator-", StringComparison.Ordinal) ? "https" : "http";
            Manifest.Binding(name).Name.ShouldBe(scheme);
            Manifest.Binding(name).Value.GetProperty("scheme").GetString().ShouldBe(scheme);
        }

        Manifest.Port("gateway").ShouldBe(9935);
        Manifest.Names.Select(Manifest.Port).Distinct().Count().ShouldBe(Manifest.Names.Count);
    }

    [Fact]
    public void The_fleet_file_lists_every_simulated_gpu_with_the_time_scale()
    {
        var fleetFile = Manifest.Env("simulator", "Simulator__FleetFile");
        using var fleet = JsonDocument.Parse(File.ReadAllText(fleetFile));
        var gpus = fleet.RootElement.GetProperty("gpus").EnumerateArray().ToList();

        Manifest.Env("simulator", "Simulator__TimeScale").ShouldBe("0.1");
        fleet.RootElement.GetProperty("timeScale").GetDouble().ShouldBe(0.1);
        fleet.RootElement.GetProperty("seed").GetInt32().ShouldBe(42);
        gpus.Select(g => g.GetProperty("id").GetString()).ShouldBe(["o1-gpu0", "o1-gpu1", "o1-gpu2", "o1-gpu3", "o2-gpu0", "o2-gpu1", "o2-gpu2", "o2-gpu3", "o2-gpu4", "o2-gpu5", "o3-gpu0", "o4-gpu0"]);
        gpus[0].GetProperty("profile").GetString().ShouldBe("RTX 4090");
        gpus.Single(g => g.GetProperty("profile").GetString() == "RTX 4060 8GB").GetProperty("cpuOffload").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public void Each_orchestrator_gets_its_ai_models_file_pointing_at_its_runner()
    {
        using var models1 = JsonDocument.Parse(File.ReadAllText(Manifest.Env("orchestrator-o1", "Orchestrator__AiModelsFile")));
        var first = models1.RootElement[0];
        first.GetProperty("pipeline").GetString().ShouldBe("image-to-video");
        first.GetProperty("url").GetString().ShouldBe($"{Manifest.Url("simulator")}/gpus/o1-gpu0/");
        first.GetProperty("price_per_unit").GetRawText().ShouldBe("3390842");
        first.GetProperty("warm").GetBoolean().ShouldBeTrue();

        using var models3 = JsonDocument.Parse(File.ReadAllText(Manifest.Env("orchestrator-o3", "Orchestrator__AiModelsFile")));
        models3.RootElement[0].GetProperty("url").GetString().ShouldBe(Manifest.Url("ollama-o3-gpu0"));
        Manifest.Env("ollama-o3-gpu0", "OllamaRunner__BaseUrl").ShouldBe("{simulator.bindings.http.url}/gpus/o3-gpu0/ollama");
        Manifest.Env("orchestrator-o1", "Orchestrator__ServiceUri").ShouldBe("{orchestrator-o1.bindings.https.url}");
        Manifest.Env("orchestrator-o1", "Orchestrator__Stake").ShouldBe("5000");
        Directory.Exists(Manifest.Env("orchestrator-o1", "Orchestrator__DataDir")).ShouldBeTrue();
    }

    [Fact]
    public void The_gateway_references_every_orchestrator_and_shares_the_ledger()
    {
        foreach (var name in Manifest.Names.Where(n => n.StartsWith("orchestrator-", StringComparison.Ordinal)))
        {
            Manifest.Env("gateway", $"services__{name}__https__0").ShouldBe($"{{{name}.bindings.https.url}}");
            Manifest.Env(name, "ConnectionStrings__ledger").ShouldBe(Manifest.Env("gateway", "ConnectionStrings__ledger"));
        }

        Manifest.Env("gateway", "Selection__Strategy").ShouldBe("round-robin");
        Manifest.Env("gateway", "Payments__MaxTotalEV").ShouldBe("100000000000000");
    }
}

/// <summary>Topologies beyond the default: replicas, external runners and runner containers.</summary>
public sealed class OtherManifestTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("manifest-other-").FullName;

    [Fact]
    public async Task Replicas_expand_into_separate_orchestrators_each_with_its_own_gpu_and_port()
    {
        var manifest = await Manifest.PublishAsync(Path.Combine(TestApps.RepositoryRoot, "AppHost", "topologies", "i2v-4090-vs-4060.json"), directory);
        var orchestrators = manifest.Names.Where(n => n.StartsWith("orchestrator-", StringComparison.Ordinal)).ToList();

        orchestrators.ShouldBe(["orchestrator-fast-1", "orchestrator-fast-2", "orchestrator-fast-3", "orchestrator-slow-1", "orchestrator-slow-2", "orchestrator-slow-3"]);
        orchestrators.Select(manifest.Port).Distinct().Count().ShouldBe(6);
        var urls = orchestrators.Select(o => JsonDocument.Parse(File.ReadAllText(manifest.Env(o, "Orchestrator__AiModelsFile"))).RootElement[0].GetProperty("url").GetString()).ToList();
        urls.Distinct().Count().ShouldBe(6);
    }

    [Fact]
    public async Task Scale_out_runs_three_gateway_replicas_with_redis_behind_a_front_door_on_the_gateway_port()
    {
        var manifest = await Manifest.PublishAsync(Path.Combine(TestApps.RepositoryRoot, "AppHost", "topologies", "scale-out.json"), directory);
        string[] replicas = ["gateway-1", "gateway-2", "gateway-3"];

        manifest.Names.ShouldContain("redis");
        manifest.Port("gateway").ShouldBe(9935);
        manifest.Env("gateway", "FrontDoor__Replicas").ShouldBe(string.Join(',', replicas.Select(r => $"{r}={manifest.Url(r)}")));
        replicas.Select(manifest.Port).Distinct().Count().ShouldBe(3);
        replicas.ShouldNotContain(r => manifest.Port(r) == 9935);
        foreach (var replica in replicas)
        {
            manifest.Env(replica, "ConnectionStrings__redis").ShouldBe(manifest.Env("gateway-1", "ConnectionStrings__redis"));
            manifest.Env(replica, "SharedState__RedisOptional").ShouldBe("false");
            // One ETH account for all: the same key directory, so nonces on shared params must come from Redis.
            manifest.Env(replica, "Payments__DataDir").ShouldBe(manifest.Env("gateway-1", "Payments__DataDir"));
            manifest.Env(replica, "ConnectionStrings__ledger").ShouldNotBeNullOrEmpty();
        }

        Should.Throw<Exception>(() => manifest.Env("gateway", "ConnectionStrings__ledger"), "the front door keeps no state and pays nothing");
    }

    [Fact]
    public async Task External_and_container_runners_are_resources_the_orchestrator_points_at()
    {
        var file = Path.Combine(directory, "mixed.json");
        File.WriteAllText(file, """
            { "gateway": { "port": 0 }, "orchestrators": [ { "name": "real", "gpus": [
                { "pipeline": "llm", "runner": "external", "url": "http://127.0.0.1:11500/" },
                { "pipeline": "text-to-image", "runner": "container", "image": "livepeer/ai-runner:latest", "containerPort": 8000 } ] } ] }
            """);
        var manifest = await Manifest.PublishAsync(file, Path.Combine(directory, "out"));

        manifest.Names.ShouldNotContain("simulator");
        var container = manifest["runner-real-gpu1"];
        container.GetProperty("type").GetString()!.ShouldStartWith("container.");
        container.GetProperty("image").GetString().ShouldBe("livepeer/ai-runner:latest");
        container.GetProperty("bindings").GetProperty("http").GetProperty("targetPort").GetInt32().ShouldBe(8000);
        using var models = JsonDocument.Parse(File.ReadAllText(manifest.Env("orchestrator-real", "Orchestrator__AiModelsFile")));
        models.RootElement[0].GetProperty("url").GetString().ShouldBe("http://127.0.0.1:11500");
        models.RootElement[1].GetProperty("url").GetString()!.ShouldStartWith("http://127.0.0.1:");
    }

    [Fact]
    public async Task A_runner_container_gets_its_aiModels_entry_and_optimization_flags_as_environment_and_its_volumes()
    {
        var file = Path.Combine(directory, "gpu-host.json");
        File.WriteAllText(file, """
            { "gateway": { "port": 0 }, "orchestrators": [ { "name": "gpu", "gpus": [
                { "pipeline": "text-to-image", "model": "SG161222/RealVisXL_V4.0_Lightning", "runner": "container",
                  "image": "livepeer/ai-runner:latest", "containerGpus": "0", "volumes": ["/var/lib/livepeer/models:/models:ro"],
                  "optimization_flags": { "SFAST": true, "DEEPCACHE": "false" }, "environment": { "VERBOSE_LOGGING": "1" } } ] } ] }
            """);
        var manifest = await Manifest.PublishAsync(file, Path.Combine(directory, "out-gpu"));

        manifest.Env("runner-gpu-gpu0", "PIPELINE").ShouldBe("text-to-image");
        manifest.Env("runner-gpu-gpu0", "MODEL_ID").ShouldBe("SG161222/RealVisXL_V4.0_Lightning");
        manifest.Env("runner-gpu-gpu0", "SFAST").ShouldBe("true");
        manifest.Env("runner-gpu-gpu0", "DEEPCACHE").ShouldBe("false");
        manifest.Env("runner-gpu-gpu0", "VERBOSE_LOGGING").ShouldBe("1");
        var mount = manifest["runner-gpu-gpu0"].GetProperty("bindMounts")[0];
        mount.GetProperty("source").GetString()!.ShouldEndWith("var/lib/livepeer/models", customMessage: "the manifest writes host paths relative to itself");
        mount.GetProperty("target").GetString().ShouldBe("/models");
        mount.GetProperty("readOnly").GetBoolean().ShouldBeTrue();
    }

    [Theory]
    [InlineData("docker", "all", "--gpus all")]
    [InlineData("docker", "0,1", "--gpus \"device=0,1\"")]
    [InlineData("podman", "all", "--device nvidia.com/gpu=all")]
    [InlineData("podman", "0,1", "--device nvidia.com/gpu=0 --device nvidia.com/gpu=1")]
    public void A_GPU_request_becomes_the_engines_own_runtime_arguments(string engine, string request, string expected) =>
        string.Join(' ', new LivepeerAspire.AppHost.Resources.ContainerEngine(engine, null).GpuArgs(request)).ShouldBe(expected);

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
