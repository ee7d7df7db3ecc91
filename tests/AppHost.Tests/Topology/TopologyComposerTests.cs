using System.Text.Json;
using LivepeerAspire.AppHost.Hosting;
using LivepeerAspire.AppHost.Topology;

namespace LivepeerAspire.AppHost.Tests.Topology;

public sealed class TopologyComposerTests : IDisposable
{
    private readonly string _runDir = Directory.CreateTempSubdirectory("compose-").FullName;

    private static string Root => DistributedApplicationOptions.FindRepositoryRoot();

    private (DistributedApplicationBuilder Builder, ComposedTopology Composed) Compose(string file, int gatewayPort = 0)
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { DashboardPort = null });
        var spec = TopologyReader.Load(Path.Combine(Root, file));
        return (builder, builder.AddTopology(spec, _runDir, gatewayPort));
    }

    private static string Env(Resource r, string key) =>
        r.Environment.LastOrDefault(e => e.Key == key).Value?.Invoke() ?? throw new KeyNotFoundException($"{r.Name} has no {key}");

    [Fact]
    public void Default_topology_becomes_simulator_shim_orchestrators_and_gateway()
    {
        var (builder, composed) = Compose("AppHost/topologies/default.json");
        var names = builder.Resources.Select(r => r.Name).ToList();

        names.ShouldBe(["ledger", "simulator", "orchestrator-o1", "orchestrator-o2", "ollama-o3-gpu0", "orchestrator-o3", "orchestrator-o4", "gateway"]);
        composed.Network.Orchestrators.Select(o => o.Name).ShouldBe(["o1", "o2", "o3", "o4"]);
        builder.Resources.Where(r => r.Kind == ResourceKind.Project).ShouldAllBe(r => r.HasEndpoint && r.HealthCheck.Path == "/health");
    }

    [Fact]
    public void The_fleet_file_lists_every_simulated_gpu_with_the_time_scale()
    {
        var (builder, composed) = Compose("AppHost/topologies/default.json");
        using var fleet = JsonDocument.Parse(File.ReadAllText(composed.FleetFile!));
        var gpus = fleet.RootElement.GetProperty("gpus").EnumerateArray().ToList();

        fleet.RootElement.GetProperty("timeScale").GetDouble().ShouldBe(0.1);
        fleet.RootElement.GetProperty("seed").GetInt32().ShouldBe(42);
        gpus.Select(g => g.GetProperty("id").GetString()).ShouldBe(["o1-gpu0", "o1-gpu1", "o2-gpu0", "o2-gpu1", "o3-gpu0", "o4-gpu0"]);
        gpus[0].GetProperty("profile").GetString().ShouldBe("RTX 4090");
        gpus[0].GetProperty("modelId").GetString().ShouldBe("stabilityai/stable-video-diffusion-img2vid-xt-1-1");
        gpus[3].GetProperty("cpuOffload").GetBoolean().ShouldBeTrue();
        Env(builder.Resources.Single(r => r.Name == "simulator"), "Simulator__FleetFile").ShouldBe(composed.FleetFile);
        composed.FleetGpuPaths[3].ShouldBe("$.orchestrators[1].gpus[1]");
    }

    [Fact]
    public void Each_orchestrator_gets_its_ai_models_file_pointing_at_its_runner()
    {
        var (builder, _) = Compose("AppHost/topologies/default.json");
        var sim = builder.Resources.Single(r => r.Name == "simulator");
        var o1 = builder.Resources.Single(r => r.Name == "orchestrator-o1");
        var o3 = builder.Resources.Single(r => r.Name == "orchestrator-o3");
        var shim = builder.Resources.Single(r => r.Name == "ollama-o3-gpu0");

        using var models1 = JsonDocument.Parse(File.ReadAllText(Env(o1, "Orchestrator__AiModelsFile")));
        var first = models1.RootElement[0];
        first.GetProperty("pipeline").GetString().ShouldBe("image-to-video");
        first.GetProperty("url").GetString().ShouldBe($"{sim.Url()}/gpus/o1-gpu0/");
        first.GetProperty("price_per_unit").GetRawText().ShouldBe("3390842");
        first.GetProperty("capacity").GetInt32().ShouldBe(1);
        first.GetProperty("warm").GetBoolean().ShouldBeTrue();

        using var models3 = JsonDocument.Parse(File.ReadAllText(Env(o3, "Orchestrator__AiModelsFile")));
        models3.RootElement[0].GetProperty("url").GetString().ShouldBe(shim.Url());
        Env(shim, "OllamaRunner__BaseUrl").ShouldBe($"{sim.Url()}/gpus/o3-gpu0/ollama");
        Env(shim, "OllamaRunner__ModelId").ShouldBe("meta-llama/Meta-Llama-3.1-8B-Instruct");
        o3.WaitForResources.Select(r => r.Name).ShouldBe(["ollama-o3-gpu0"]);
        shim.WaitForResources.Select(r => r.Name).ShouldBe(["simulator"]);

        Env(o1, "Orchestrator__ServiceUri").ShouldBe(o1.Url());
        Env(o1, "Orchestrator__Name").ShouldBe("o1");
        Env(o1, "Orchestrator__Stake").ShouldBe("5000");
        Directory.Exists(Env(o1, "Orchestrator__DataDir")).ShouldBeTrue();
        Env(o1, "ConnectionStrings__ledger").ShouldContain("ledger.db"); // the default topology says "payments"
    }

    [Fact]
    public void The_gateway_references_and_waits_for_every_orchestrator()
    {
        var (builder, _) = Compose("AppHost/topologies/default.json", gatewayPort: 0);
        var gateway = builder.Resources.Single(r => r.Name == "gateway");

        foreach (var o in builder.Resources.Where(r => r.Name.StartsWith("orchestrator-", StringComparison.Ordinal)))
        {
            Env(gateway, $"services__{o.Name}__http__0").ShouldBe(o.Url());
            gateway.WaitForResources.ShouldContain(o);
        }

        Env(gateway, "Selection__Strategy").ShouldBe("round-robin");
        Env(gateway, "ConnectionStrings__ledger").ShouldBe(Env(builder.Resources.Single(r => r.Name == "orchestrator-o1"), "ConnectionStrings__ledger"));
        gateway.DisplayLabel.ShouldBe("Gateway");
        gateway.FixedPort.ShouldBeFalse();
    }

    [Fact]
    public void Replicas_expand_into_separate_orchestrators_with_their_own_gpus()
    {
        var (builder, composed) = Compose("AppHost/topologies/i2v-4090-vs-4060.json");

        composed.Network.Orchestrators.Select(o => o.Name).ShouldBe(["fast-1", "fast-2", "fast-3", "slow-1", "slow-2", "slow-3"]);
        composed.Network.Orchestrators.SelectMany(o => o.Gpus).Select(g => g.Id).Distinct().Count().ShouldBe(6);
        builder.Resources.Where(r => r.Kind == ResourceKind.Project).Select(r => r.Port()).Distinct().Count()
            .ShouldBe(builder.Resources.Count(r => r.Kind == ResourceKind.Project));
    }

    [Fact]
    public void External_and_container_runners_are_resources_the_orchestrator_points_at()
    {
        var file = Path.Combine(_runDir, "mixed.json");
        File.WriteAllText(file, """
            { "orchestrators": [ { "name": "real", "gpus": [
                { "pipeline": "llm", "runner": "external", "url": "http://127.0.0.1:11500/" },
                { "pipeline": "text-to-image", "runner": "container", "image": "livepeer/ai-runner:latest", "containerPort": 8000 } ] } ] }
            """);
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { DashboardPort = null });
        var composed = builder.AddTopology(TopologyReader.Load(file), _runDir, 0);

        composed.FleetFile.ShouldBeNull();
        builder.Resources.Any(r => r.Name == "simulator").ShouldBeFalse();
        builder.Resources.Single(r => r.Name == "runner-real-gpu0").ShouldBeOfType<ExternalResource>();
        var container = builder.Resources.Single(r => r.Name == "runner-real-gpu1").ShouldBeOfType<ContainerResource>();
        container.TargetPort.ShouldBe(8000);
        using var models = JsonDocument.Parse(File.ReadAllText(Path.Combine(_runDir, "orchestrators", "real", "aiModels.json")));
        models.RootElement[0].GetProperty("url").GetString().ShouldBe("http://127.0.0.1:11500");
        models.RootElement[1].GetProperty("url").GetString().ShouldBe(container.Url());
    }

    public void Dispose() => Directory.Delete(_runDir, recursive: true);
}
