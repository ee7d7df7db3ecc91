using System.Globalization;
using Microsoft.Extensions.Configuration;
using LivepeerAspire.AppHost.Resources;

namespace LivepeerAspire.AppHost.Topology;

/// <summary>
/// Reads the topology named by <c>--topology</c> (default <c>AppHost/topologies/default.json</c>), validates it and
/// composes it into the builder. Every refusal is a <see cref="TopologyException"/> thrown before anything starts.
/// </summary>
public static class TopologyHosting
{
    public static string DefaultTopologyFile(string repositoryRoot) => Path.Combine(repositoryRoot, "AppHost", "topologies", "default.json");

    /// <summary>
    /// A relative path is taken from the working directory, else from the repository root: <c>dotnet run --project
    /// AppHost</c> runs in the AppHost folder, so <c>--topology AppHost/topologies/x.json</c> typed at the root means the root.
    /// </summary>
    public static string Resolve(string file, string repositoryRoot, string? workingDirectory = null)
    {
        var full = Path.GetFullPath(file, workingDirectory ?? Directory.GetCurrentDirectory());
        if (File.Exists(full) || Path.IsPathRooted(file))
        {
            return full;
        }

        var fromRoot = Path.GetFullPath(Path.Combine(repositoryRoot, file));
        return File.Exists(fromRoot) ? fromRoot : full;
    }

    public static async Task<ComposedTopology> AddLivepeerNetworkAsync(this IDistributedApplicationBuilder builder, CancellationToken ct = default)
    {
        var config = builder.Configuration;
        var root = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var file = Resolve(config["topology"] ?? DefaultTopologyFile(root), root);
        if (!File.Exists(file))
        {
            throw new TopologyException(file, "$", "file not found");
        }

        var topology = TopologyReader.Load(file);
        var gatewayPort = Port(config, "gateway-port") ?? topology.Gateway.Port;
        var dashboardPort = builder.ExecutionContext.IsRunMode ? DashboardPort(config["ASPNETCORE_URLS"]) : null;
        TopologyValidator.Validate(topology, gatewayPort, dashboardPort);
        var runDirectory = config["run-dir"] is { Length: > 0 } dir
            ? Path.GetFullPath(dir)
            : Path.Combine(root, ".run", $"{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}-{topology.Name}");
        var createdRunDirectory = !Directory.Exists(runDirectory);
        ContainerEngine? engine = null;
        var hasContainers = topology.Orchestrators.Any(o => o.Gpus.Any(g => g.Runner == RunnerKind.Container)) || topology.Resources.Any(r => r.Kind == "container");
        if (hasContainers && builder.ExecutionContext.IsRunMode)
        {
            // Docker if it answers, else podman; DCP is told which. Without either, the containers show why and the rest runs.
            engine = await ContainerEngine.DetectAsync(config[ContainerEngine.RuntimeKey], ct);
            if (engine.Name is { } name)
            {
                config[ContainerEngine.RuntimeKey] = name;
            }
            else
            {
                Console.Error.WriteLine($"warning: container runners are unavailable: {engine.UnavailableReason}");
            }
        }

        var composed = builder.AddTopology(topology, runDirectory, gatewayPort, engine);
        if (engine?.Name is { } engineName)
        {
            ContainerExitWatch.Register(builder, engineName,
                builder.Resources.OfType<ContainerResource>().Where(r => r.Annotations.OfType<LivepeerRoleAnnotation>().Any())
                    .Select(r => (r.Name, Port: r.Annotations.OfType<EndpointAnnotation>().FirstOrDefault()?.Port ?? 0))
                    .Where(r => r.Port > 0).ToList());
        }

        var simulator = ServiceResourceExtensions.BuiltBinary(new Projects.Runner_Simulated().ProjectPath);
        if (composed.FleetFile is not null && File.Exists(simulator))
        {
            try
            {
                if (await FleetValidator.ValidateAsync(simulator, [], composed.FleetFile, topology, composed.FleetGpuPaths, ct) is { } warning)
                {
                    Console.Error.WriteLine($"warning: {warning}");
                }
            }
            catch (TopologyException) when (createdRunDirectory)
            {
                Directory.Delete(runDirectory, recursive: true);
                throw;
            }
        }

        return composed;
    }

    private static int? Port(IConfiguration config, string key)
    {
        if (config[key] is not { } text)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new AppHostUsageException($"--{key} must be a port between 0 and 65535 (0 = any free port), not '{text}'.");
    }

    /// <summary>The dashboard's own port, from the launch profile's (or the command line's) ASPNETCORE_URLS.</summary>
    private static int? DashboardPort(string? urls) =>
        urls?.Split(';').Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri.Port : 0).FirstOrDefault(p => p > 0) is > 0 and var port
            ? port
            : null;
}

/// <summary>A command-line mistake; the AppHost prints it with the usage and exits 2.</summary>
public sealed class AppHostUsageException(string message) : Exception(message);
