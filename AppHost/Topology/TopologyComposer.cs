using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LivepeerAspire.AppHost.Hosting;

namespace LivepeerAspire.AppHost.Topology;

/// <summary>What the composer produced: files written and the gpu-index → topology-path map for error messages.</summary>
public sealed record ComposedTopology(string RunDirectory, string? FleetFile, IReadOnlyList<string> FleetGpuPaths, NetworkMap Network);

/// <summary>
/// Turns a topology into builder calls: one Runner.Simulated with a fleet file, one Runner.Ollama per GPU that
/// uses the shim, one Orchestrator per orchestrator (replicas expanded) with its aiModels.json, and the
/// gateway referencing every orchestrator — the Aspire way (environment, references, WaitFor).
/// </summary>
public static class TopologyComposer
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static ComposedTopology AddTopology(this DistributedApplicationBuilder builder, TopologySpec topology, string runDirectory, int gatewayPort)
    {
        Directory.CreateDirectory(runDirectory);
        File.Copy(topology.File, Path.Combine(runDirectory, "topology.json"), overwrite: true);
        var ledgerFile = Path.Combine(runDirectory, "ledger.db");
        var ledger = builder.AddConnectionString("ledger", $"Data Source={ledgerFile}");
        var paidOrchestrators = new List<(string DataDir, string ServiceUri, string? Stake)>();

        // Expand replicas first: each replica is an orchestrator of its own with its own GPUs.
        var orchestrators = topology.Orchestrators
            .SelectMany(o => TopologyValidator.ExpandedNames(o).Select(name => (Spec: o, Name: name)))
            .ToList();
        var fleetGpus = new JsonArray();
        var fleetPaths = new List<string>();
        var simulatedIds = new HashSet<string>();
        foreach (var (spec, name) in orchestrators)
        {
            for (var i = 0; i < spec.Gpus.Count; i++)
            {
                var gpu = spec.Gpus[i];
                if (gpu.Runner is RunnerKind.Simulated or RunnerKind.Ollama)
                {
                    var id = GpuId(name, i);
                    var entry = new JsonObject
                    {
                        ["id"] = id,
                        ["profile"] = gpu.Profile,
                        ["pipeline"] = gpu.Pipeline,
                        ["modelId"] = gpu.Model,
                        ["warm"] = gpu.Warm,
                    };
                    foreach (var (key, value) in gpu.SimulatorFields)
                    {
                        entry[key] = JsonNode.Parse(value.GetRawText());
                    }

                    if (gpu.Faults.Count > 0)
                    {
                        entry["faults"] = new JsonArray(gpu.Faults.Select(f => JsonNode.Parse(f.GetRawText())).ToArray());
                    }

                    fleetGpus.Add(entry);
                    fleetPaths.Add(gpu.Path);
                    simulatedIds.Add(id);
                }
            }
        }

        string? fleetFile = null;
        IResourceBuilder<ProjectResource>? simulator = null;
        if (fleetGpus.Count > 0)
        {
            fleetFile = Path.Combine(runDirectory, "fleet.json");
            var fleet = new JsonObject { ["timeScale"] = topology.TimeScale, ["seed"] = topology.Seed, ["gpus"] = fleetGpus };
            File.WriteAllText(fleetFile, fleet.ToJsonString(Indented));
            simulator = builder.AddProject("simulator", "Runner.Simulated")
                .WithHttpEndpoint(topology.SimulatorPort)
                .WithEnvironment("Simulator__FleetFile", fleetFile)
                .WithEnvironment("Simulator__TimeScale", topology.TimeScale.ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("Simulator__Seed", topology.Seed.ToString(CultureInfo.InvariantCulture))
                .WithAnnotation("role", "simulator");
        }

        var networkOrchestrators = new List<NetworkOrchestrator>();
        var orchestratorBuilders = new List<IResourceBuilder<ProjectResource>>();
        foreach (var (spec, name) in orchestrators)
        {
            var dir = Path.Combine(runDirectory, "orchestrators", name);
            Directory.CreateDirectory(Path.Combine(dir, "data"));
            var waitFor = new List<IResourceBuilder<Resource>>();
            var models = new JsonArray();
            var gpus = new List<NetworkGpu>();
            for (var i = 0; i < spec.Gpus.Count; i++)
            {
                var gpu = spec.Gpus[i];
                var id = GpuId(name, i);
                string runnerUrl;
                switch (gpu.Runner)
                {
                    case RunnerKind.Simulated:
                        runnerUrl = $"{simulator!.Resource.Url()}/gpus/{id}/";
                        waitFor.Add(simulator);
                        break;
                    case RunnerKind.Ollama:
                        var shim = builder.AddProject($"ollama-{id}", "Runner.Ollama")
                            .WithHttpEndpoint()
                            .WithEnvironment("OllamaRunner__BaseUrl", $"{simulator!.Resource.Url()}/gpus/{id}/ollama")
                            .WithEnvironment("OllamaRunner__ModelId", gpu.Model)
                            .WithAnnotation("role", "runner")
                            .WithAnnotation("orchestrator", name)
                            .WaitFor(simulator);
                        runnerUrl = shim.Resource.Url();
                        waitFor.Add(shim);
                        break;
                    case RunnerKind.External:
                        builder.AddExternalService($"runner-{id}", gpu.Url!).WithAnnotation("role", "runner").WithAnnotation("orchestrator", name);
                        runnerUrl = gpu.Url!.ToString().TrimEnd('/');
                        break;
                    default:
                        var container = builder.AddContainer($"runner-{id}", gpu.Image!)
                            .WithHttpEndpoint(targetPort: gpu.ContainerPort)
                            .WithAnnotation("role", "runner")
                            .WithAnnotation("orchestrator", name);
                        runnerUrl = container.Resource.Url();
                        break;
                }

                models.Add(new JsonObject
                {
                    ["pipeline"] = gpu.Pipeline,
                    ["model_id"] = gpu.Model,
                    ["url"] = runnerUrl,
                    ["warm"] = gpu.Warm,
                    ["capacity"] = gpu.Capacity,
                    ["price_per_unit"] = NumberNode(gpu.PricePerUnit),
                    ["pixels_per_unit"] = NumberNode(gpu.PixelsPerUnit),
                    ["currency"] = gpu.Currency,
                });
                gpus.Add(new NetworkGpu(id, gpu.Profile ?? gpu.Runner.ToString().ToLowerInvariant(), gpu.Pipeline, gpu.Model, gpu.Warm, gpu.Capacity,
                    gpu.PricePerUnit, gpu.PixelsPerUnit, gpu.Currency, gpu.Runner.ToString().ToLowerInvariant(), runnerUrl));
            }

            var aiModels = Path.Combine(dir, "aiModels.json");
            File.WriteAllText(aiModels, models.ToJsonString(Indented));
            var resourceName = $"orchestrator-{name}";
            var orchestrator = builder.AddProject(resourceName, "Orchestrator")
                .WithHttpEndpoint(spec.Port)
                .WithEnvironment("Orchestrator__AiModelsFile", aiModels)
                .WithEnvironment("Orchestrator__Name", name)
                .WithEnvironment("Orchestrator__DataDir", Path.Combine(dir, "data"))
                .WithAnnotation("role", "orchestrator")
                .WithAnnotation("orchestrator", name);
            orchestrator.WithEnvironment("Orchestrator__ServiceUri", orchestrator.Resource.Url());
            if (topology.Payments is { } paid)
            {
                // Only a paid network gets the ledger: ConnectionStrings:ledger is what switches a service to on-chain mode.
                orchestrator.WithReference(ledger);
                PaymentsComposer.ConfigureOrchestrator(orchestrator, paid);
                paidOrchestrators.Add((Path.Combine(dir, "data"), orchestrator.Resource.Url(), spec.Stake));
            }

            if (spec.Stake is not null)
            {
                orchestrator.WithEnvironment("Orchestrator__Stake", spec.Stake);
            }

            foreach (var (key, value) in spec.Environment)
            {
                orchestrator.WithEnvironment(key, value);
            }

            foreach (var dependency in waitFor.Distinct())
            {
                orchestrator.WaitFor(dependency);
            }

            orchestratorBuilders.Add(orchestrator);
            networkOrchestrators.Add(new NetworkOrchestrator(name, resourceName, spec.Stake, gpus));
        }

        var gateway = builder.AddProject("gateway", "Gateway")
            .WithHttpEndpoint(gatewayPort)
            .WithDisplayUrl("Gateway")
            .WithAnnotation("role", "gateway");
        if (topology.Gateway.Strategy is { } strategy)
        {
            gateway.WithEnvironment("Selection__Strategy", strategy);
        }

        if (topology.Payments is { } payments)
        {
            var gatewayData = Path.Combine(runDirectory, "gateway", "data");
            gateway.WithReference(ledger);
            PaymentsComposer.ConfigureGateway(gateway, payments, gatewayData);
            PaymentsComposer.Prepare(payments, ledgerFile, gatewayData, paidOrchestrators);
        }

        foreach (var (key, value) in topology.Gateway.Environment)
        {
            gateway.WithEnvironment(key, value);
        }

        foreach (var orchestrator in orchestratorBuilders)
        {
            gateway.WithReference(orchestrator).WaitForHealthyOrFailed(orchestrator);
        }

        var staked = networkOrchestrators.Where(o => o.Stake is not null)
            .Select(o => (Resource: orchestratorBuilders.Single(b => b.Resource.Name == o.ResourceName).Resource, Stake: o.Stake!))
            .ToList();
        if (staked.Count > 0)
        {
            gateway.WithEnvironment(ct => StakeEnvironment.ForAsync(staked.Select(s => (s.Resource.Url(), s.Stake)), ct));
        }

        foreach (var extra in topology.Resources)
        {
            AddExtra(builder, extra);
        }

        var network = new NetworkMap("gateway", simulator?.Resource.Name, networkOrchestrators, topology.Name, topology.TimeScale);
        builder.Network = network;
        return new ComposedTopology(runDirectory, fleetFile, fleetPaths, network);
    }

    /// <summary>A JSON number when the text is one (exact, as written), otherwise the text as a string.</summary>
    private static JsonNode NumberNode(string text)
    {
        try
        {
            return JsonNode.Parse(text) is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v : JsonValue.Create(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    public static string GpuId(string orchestrator, int index) => $"{orchestrator}-gpu{index}";

    private static void AddExtra(DistributedApplicationBuilder builder, ExtraResourceSpec extra)
    {
        IResourceBuilder<Resource> resource = extra.Kind == "executable"
            ? builder.AddExecutable(extra.Name, extra.Command!, null, [.. extra.Args])
            : builder.AddContainer(extra.Name, extra.Image!).WithArgs([.. extra.Args]);
        if (extra.Port is not null || extra.Health != "none")
        {
            if (extra.Health == "http")
            {
                resource.WithHttpEndpoint(extra.Port, extra.TargetPort).WithHttpHealthCheck();
            }
            else
            {
                resource.WithTcpEndpoint(extra.Port, extra.TargetPort);
            }
        }

        foreach (var (key, value) in extra.Environment)
        {
            resource.WithEnvironment(key, value);
        }

        resource.WithAnnotation("role", "extra");
    }
}
