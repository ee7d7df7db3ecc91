using LivepeerAspire.AppHost.Hosting;

namespace LivepeerAspire.AppHost.Topology;

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

    /// <summary>
    /// Reads, validates and composes a topology file (<paramref name="file"/>, else <c>--topology</c>, else the
    /// default) into the builder. Throws <see cref="TopologyException"/> before anything starts when it is invalid.
    /// </summary>
    public static async Task<ComposedTopology> AddTopologyFileAsync(this DistributedApplicationBuilder builder, string? file = null, CancellationToken ct = default)
    {
        file = Resolve(file ?? builder.Arguments.TopologyFile ?? DefaultTopologyFile(builder.RepositoryRoot), builder.RepositoryRoot);
        if (!File.Exists(file))
        {
            throw new TopologyException(file, "$", "file not found");
        }

        var topology = TopologyReader.Load(file);
        var gatewayPort = builder.Arguments.GatewayPort ?? topology.Gateway.Port;
        if (builder.Arguments.DashboardPort is null && !builder.Arguments.NoDashboard && topology.DashboardPort is { } dashboardPort)
        {
            builder.Options.DashboardPort = dashboardPort;
        }

        TopologyValidator.Validate(topology, gatewayPort, builder.Options.DashboardPort);
        var runDirectory = builder.Arguments.RunDirectory is { } dir
            ? Path.GetFullPath(dir)
            : Path.Combine(builder.RepositoryRoot, ".run", $"{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}-{topology.Name}");
        var createdRunDirectory = !Directory.Exists(runDirectory);
        var composed = builder.AddTopology(topology, runDirectory, gatewayPort);

        var simulatorDll = Path.Combine(builder.RepositoryRoot, "Runner.Simulated", "bin", builder.Options.Configuration, "net10.0", "Runner.Simulated.dll");
        if (composed.FleetFile is not null && File.Exists(simulatorDll))
        {
            string? warning;
            try
            {
                warning = await FleetValidator.ValidateAsync("dotnet", [simulatorDll], composed.FleetFile, topology, composed.FleetGpuPaths, ct);
            }
            catch (TopologyException) when (createdRunDirectory)
            {
                Directory.Delete(runDirectory, recursive: true);
                throw;
            }

            if (warning is not null)
            {
                builder.Options.Output.WriteLine($"warning: {warning}");
            }
        }

        return composed;
    }
}
