using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LivepeerAspire.AppHost.Commands;
using LivepeerAspire.AppHost.Resources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LivepeerAspire.AppHost.Topology;

/// <summary>What the composer produced: the run directory, the fleet file (if any GPU is simulated) and each fleet GPU's topology path.</summary>
public sealed record ComposedTopology(string RunDirectory, string? FleetFile, IReadOnlyList<string> FleetGpuPaths);

/// <summary>
/// Turns a topology into Aspire resources: one simulator with a fleet file, one Ollama shim per GPU that uses it, one
/// orchestrator per orchestrator (replicas expanded) with its go-livepeer aiModels.json, containers, external runners
/// and extra executables, and the gateway referencing every orchestrator.
/// </summary>
public static class TopologyComposer
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static ComposedTopology AddTopology(this IDistributedApplicationBuilder builder, TopologySpec topology, string runDirectory, int gatewayPort,
        ContainerEngine? containerEngine = null)
    {
        var engine = containerEngine ?? new ContainerEngine("docker", null);
        Directory.CreateDirectory(runDirectory);
        File.Copy(topology.File, Path.Combine(runDirectory, "topology.json"), overwrite: true);
        var ledgerFile = Path.Combine(runDirectory, "ledger.db");
        var ledgerConnection = $"Data Source={ledgerFile}";
        var paidOrchestrators = new List<(string DataDir, string ServiceUri, string? Stake)>();
        var gatewayData = Path.Combine(runDirectory, "gateway", "data");
        IResourceBuilder<ExecutableResource>? chain = null;
        if (topology.Payments is { OnChain: true } onChain)
        {
            (chain, ledgerConnection) = builder.AddDevChain(LoopbackPorts.Allocate(), onChain.BlockTime, () => new ChainPreparation(
                new Protocol.Ledger.Chain.ChainParameters(onChain.RoundLength),
                paidOrchestrators.Select(o => (o.DataDir, o.ServiceUri, PaymentsComposer.StakeWei(o.Stake))).ToList(),
                gatewayData,
                onChain.Deposit,
                onChain.Reserve));
        }

        var orchestrators = topology.Orchestrators
            .SelectMany(o => TopologyValidator.ExpandedNames(o).Select(name => (Spec: o, Name: name)))
            .ToList();
        var (fleetFile, fleetPaths) = WriteFleet(topology, orchestrators, runDirectory);
        IResourceBuilder<ServiceResource>? simulator = null;
        if (fleetFile is not null)
        {
            simulator = builder.AddService<Projects.Runner_Simulated>("simulator", topology.SimulatorPort ?? LoopbackPorts.Allocate())
                .WithEnvironment("Simulator__FleetFile", fleetFile)
                .WithEnvironment("Simulator__TimeScale", topology.TimeScale.ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("Simulator__Seed", topology.Seed.ToString(CultureInfo.InvariantCulture))
                .WithAnnotation(new LivepeerRoleAnnotation(LivepeerRole.Simulator));
        }

        var orchestratorBuilders = new List<(IResourceBuilder<ServiceResource> Builder, string? Stake)>();
        foreach (var (spec, name) in orchestrators)
        {
            var dir = Path.Combine(runDirectory, "orchestrators", name);
            var dataDir = Path.Combine(dir, "data");
            Directory.CreateDirectory(dataDir);
            var dependencies = new List<(IResourceBuilder<IResource> Runner, TimeSpan StartTimeout)>();
            var simulatedGpus = new List<string>();
            var models = new JsonArray();
            for (var i = 0; i < spec.Gpus.Count; i++)
            {
                var gpu = spec.Gpus[i];
                var id = GpuId(name, i);
                var runnerUrl = AddRunner(builder, gpu, id, name, simulator, dependencies, engine);
                if (gpu.IsSimulated)
                {
                    simulatedGpus.Add(id);
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
            }

            var aiModels = Path.Combine(dir, "aiModels.json");
            File.WriteAllText(aiModels, models.ToJsonString(Indented));
            // https, as go-livepeer's orchestrators serve: gRPC discovery and the job routes share the port (ALPN).
            var orchestrator = builder.AddService<Projects.Orchestrator>($"orchestrator-{name}", spec.Port ?? LoopbackPorts.Allocate(), "https")
                .WithEnvironment("Orchestrator__AiModelsFile", aiModels)
                .WithEnvironment("Orchestrator__Name", name)
                .WithEnvironment("Orchestrator__DataDir", dataDir)
                .WithAnnotation(new LivepeerRoleAnnotation(LivepeerRole.Orchestrator, name));
            orchestrator.WithEnvironment("Orchestrator__ServiceUri", orchestrator.Endpoint());
            if (topology.Payments is { } paid)
            {
                // Only a paid network gets the ledger: ConnectionStrings:ledger is what switches a service to on-chain mode.
                orchestrator.WithEnvironment("ConnectionStrings__ledger", ledgerConnection);
                PaymentsComposer.ConfigureOrchestrator(orchestrator, paid);
                if (chain is not null)
                {
                    orchestrator.WaitFor(chain);
                }

                paidOrchestrators.Add((dataDir, orchestrator.Url(), spec.Stake));
            }

            if (spec.Stake is not null)
            {
                orchestrator.WithEnvironment("Orchestrator__Stake", spec.Stake);
            }

            foreach (var (key, value) in spec.Environment)
            {
                orchestrator.WithEnvironment(key, value);
            }

            foreach (var (runner, startTimeout) in dependencies.Distinct())
            {
                // A runner container that cannot start (no such image, no engine, exited) fails its orchestrator, as a
                // go-livepeer orchestrator whose managed container never becomes ready; the gateway runs with the rest.
                orchestrator.WaitForHealthyOrFail(runner, startTimeout);
            }

            if (simulator is not null && simulatedGpus.Count > 0)
            {
                orchestrator.WithFaultCommands(simulator, simulatedGpus);
            }

            orchestratorBuilders.Add((orchestrator, spec.Stake));
        }

        var gateway = builder.AddService<Projects.Gateway>("gateway", gatewayPort == 0 ? LoopbackPorts.Allocate() : gatewayPort)
            .WithAnnotation(new LivepeerRoleAnnotation(LivepeerRole.Gateway))
            .WithSelectionCommands();
        gateway.WithUrl($"{gateway.Url()}/network", "Livepeer network");
        if (topology.Gateway.Strategy is { } strategy)
        {
            gateway.WithEnvironment("Selection__Strategy", strategy);
        }

        if (topology.Payments is { } payments)
        {
            gateway.WithEnvironment("ConnectionStrings__ledger", ledgerConnection);
            PaymentsComposer.ConfigureGateway(gateway, payments, gatewayData);
            if (chain is not null)
            {
                gateway.WaitFor(chain);
            }
            else if (builder.ExecutionContext.IsRunMode)
            {
                PaymentsComposer.Prepare(payments, ledgerFile, gatewayData, paidOrchestrators);
            }
        }

        if (topology.Gateway.Access is { } access)
        {
            GatewayAccessComposer.Configure(builder, gateway, access, runDirectory, simulator);
        }

        foreach (var (key, value) in topology.Gateway.Environment)
        {
            gateway.WithEnvironment(key, value);
        }

        foreach (var (orchestrator, _) in orchestratorBuilders)
        {
            gateway.WithReference(orchestrator).WaitForHealthyOrFailed(orchestrator);
        }

        var staked = orchestratorBuilders.Where(o => o.Stake is not null).Select(o => (o.Builder.Url(), o.Stake!)).ToList();
        if (staked.Count > 0 && builder.ExecutionContext.IsRunMode)
        {
            gateway.WithEnvironment(async context =>
            {
                foreach (var (key, value) in await StakeEnvironment.ForAsync(staked, context.CancellationToken))
                {
                    context.EnvironmentVariables[key] = value;
                }
            });
        }

        foreach (var extra in topology.Resources)
        {
            AddExtra(builder, extra, runDirectory);
        }

        return new ComposedTopology(runDirectory, fleetFile, fleetPaths);
    }

    public static string GpuId(string orchestrator, int index) => $"{orchestrator}-gpu{index}";

    private static (string? File, IReadOnlyList<string> GpuPaths) WriteFleet(
        TopologySpec topology, IReadOnlyList<(OrchestratorSpec Spec, string Name)> orchestrators, string runDirectory)
    {
        var gpus = new JsonArray();
        var paths = new List<string>();
        foreach (var (spec, name) in orchestrators)
        {
            for (var i = 0; i < spec.Gpus.Count; i++)
            {
                var gpu = spec.Gpus[i];
                if (!gpu.IsSimulated)
                {
                    continue;
                }

                var entry = new JsonObject
                {
                    ["id"] = GpuId(name, i),
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

                gpus.Add(entry);
                paths.Add(gpu.Path);
            }
        }

        if (gpus.Count == 0)
        {
            return (null, paths);
        }

        var file = Path.Combine(runDirectory, "fleet.json");
        var fleet = new JsonObject { ["timeScale"] = topology.TimeScale, ["seed"] = topology.Seed, ["gpus"] = gpus };
        File.WriteAllText(file, fleet.ToJsonString(Indented));
        return (file, paths);
    }

    /// <summary>
    /// Adds what serves one GPU and returns the runner URL for aiModels.json. Simulated GPUs and shims start together
    /// with their orchestrators: an orchestrator polls its runners until they answer (go-livepeer's external-runner
    /// budget) and is healthy only then, so a WaitFor chain would only add a process start per level. A container may
    /// first be pulled, so its orchestrator waits for it.
    /// </summary>
    private static string AddRunner(IDistributedApplicationBuilder builder, GpuSpec gpu, string id, string orchestrator,
        IResourceBuilder<ServiceResource>? simulator, List<(IResourceBuilder<IResource> Runner, TimeSpan StartTimeout)> dependencies, ContainerEngine engine)
    {
        switch (gpu.Runner)
        {
            case RunnerKind.Simulated:
                return $"{simulator!.Url()}/gpus/{id}/";
            case RunnerKind.Ollama:
                var shim = builder.AddService<Projects.Runner_Ollama>($"ollama-{id}", LoopbackPorts.Allocate());
                // A url is a real Ollama (e.g. the ollama/ollama container on a GPU host); otherwise the simulator's Ollama API.
                if (gpu.Url is { } ollama)
                {
                    shim.WithEnvironment("OllamaRunner__BaseUrl", ollama.ToString().TrimEnd('/'));
                }
                else
                {
                    shim.WithEnvironment("OllamaRunner__BaseUrl", ReferenceExpression.Create($"{simulator!.Endpoint()}/gpus/{id}/ollama"));
                }

                shim
                    .WithEnvironment("OllamaRunner__ModelId", gpu.Model)
                    // The shim cannot ask NVML; the topology knows the GPU, so /hardware/info and go-livepeer's hardware name it.
                    .WithEnvironment("OllamaRunner__GpuName", gpu.Profile!)
                    .WithAnnotation(new LivepeerRoleAnnotation(LivepeerRole.Runner, orchestrator));
                return shim.Url();
            case RunnerKind.External:
                builder.AddExternalService($"runner-{id}", gpu.Url!)
                    .WithAnnotation(new LivepeerRoleAnnotation(LivepeerRole.Runner, orchestrator));
                return gpu.Url!.ToString().TrimEnd('/');
            default:
                var port = LoopbackPorts.Allocate();
                dependencies.Add((AddRunnerContainer(builder, gpu, id, orchestrator, port, engine), gpu.StartTimeout));
                return $"http://127.0.0.1:{port}";
        }
    }

    /// <summary>
    /// A runner container as go-livepeer starts a managed one: the aiModels entry as <c>PIPELINE</c> and <c>MODEL_ID</c>, every
    /// optimization flag as its own variable, the runner's port published on 127.0.0.1, the GPU request where the topology
    /// makes one, model volumes, and ready when <c>/health</c> answers 200.
    /// </summary>
    public const string AppHostPidLabel = "livepeer-aspire.apphost-pid";

    private static IResourceBuilder<ContainerResource> AddRunnerContainer(
        IDistributedApplicationBuilder builder, GpuSpec gpu, string id, string orchestrator, int port, ContainerEngine engine)
    {
        var (image, tag) = SplitImage(gpu.Image!);
        var container = builder.AddContainer($"runner-{id}", image, tag)
            .WithHttpEndpoint(port: port, targetPort: gpu.ContainerPort, isProxied: false)
            .WithHttpHealthCheck("/health")
            // Which AppHost process started it: what its tests (and an operator) remove if a run ends without DCP's clean-up.
            .WithContainerRuntimeArgs("--label", $"{AppHostPidLabel}={Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}")
            .WithEnvironment("PIPELINE", gpu.Pipeline)
            .WithEnvironment("MODEL_ID", gpu.Model)
            .WithAnnotation(new LivepeerRoleAnnotation(LivepeerRole.Runner, orchestrator));
        foreach (var (name, value) in gpu.OptimizationFlags)
        {
            container.WithEnvironment(name, value);
        }

        foreach (var (name, value) in gpu.ContainerEnvironment)
        {
            container.WithEnvironment(name, value);
        }

        if (gpu.ContainerGpus is { } request)
        {
            container.WithContainerRuntimeArgs([.. engine.GpuArgs(request)]);
        }

        foreach (var volume in gpu.Volumes)
        {
            if (volume.IsHostPath)
            {
                container.WithBindMount(volume.Source, volume.Target, volume.ReadOnly);
            }
            else
            {
                container.WithVolume(volume.Source, volume.Target, volume.ReadOnly);
            }
        }

        if (engine.UnavailableReason is { } reason && builder.ExecutionContext.IsRunMode)
        {
            // DCP shows the container as "Runtime unhealthy"; its log says why, and its orchestrator fails instead of waiting.
            builder.Eventing.Subscribe<AfterResourcesCreatedEvent>((e, _) =>
            {
                e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(container.Resource).LogError("Unavailable: {Reason}", reason);
                return Task.CompletedTask;
            });
        }

        return container;
    }

    /// <summary>"registry/name:tag" → (registry/name, tag); a digest reference is kept whole; no tag means latest.</summary>
    internal static (string Image, string Tag) SplitImage(string reference)
    {
        if (reference.Contains('@', StringComparison.Ordinal))
        {
            var at = reference.IndexOf('@', StringComparison.Ordinal);
            return (reference[..at], reference[(at + 1)..]);
        }

        var colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') ? (reference[..colon], reference[(colon + 1)..]) : (reference, "latest");
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

    private static void AddExtra(IDistributedApplicationBuilder builder, ExtraResourceSpec extra, string runDirectory)
    {
        int? port = extra.Port is not null || extra.Health != "none" ? (extra.Port is > 0 ? extra.Port.Value : LoopbackPorts.Allocate()) : null;
        var args = extra.Args.Select(a => port is { } p ? a.Replace("{port}", p.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal) : a).ToArray();
        if (extra.Kind == "executable")
        {
            var executable = builder.AddExecutable(extra.Name, extra.Command!, runDirectory, args)
                .WithAnnotation(new LivepeerRoleAnnotation(LivepeerRole.Extra));
            Configure(executable);
            if (port is { } p)
            {
                executable.WithEnvironment("PORT", p.ToString(CultureInfo.InvariantCulture));
            }
        }
        else
        {
            var container = builder.AddContainer(extra.Name, extra.Image!).WithArgs(args)
                .WithAnnotation(new LivepeerRoleAnnotation(LivepeerRole.Extra));
            Configure(container);
        }

        void Configure<T>(IResourceBuilder<T> resource)
            where T : IResourceWithEnvironment, IResourceWithEndpoints
        {
            if (port is { } p)
            {
                var scheme = extra.Health == "http" ? "http" : "tcp";
                resource.WithEndpoint(port: p, targetPort: extra.TargetPort ?? p, scheme: scheme, name: scheme, isProxied: false);
                if (extra.Health == "http")
                {
                    resource.WithHttpHealthCheck("/health", endpointName: "http");
                }
            }

            foreach (var (key, value) in extra.Environment)
            {
                resource.WithEnvironment(key, value);
            }
        }
    }
}
