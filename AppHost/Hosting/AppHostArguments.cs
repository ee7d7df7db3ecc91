using System.CommandLine;

namespace LivepeerAspire.AppHost.Hosting;

public sealed class AppHostUsageException(string message) : Exception(message);

/// <summary>--help or --version was asked for and has been printed; the AppHost exits 0.</summary>
public sealed class AppHostInfoShownException() : Exception("help shown");

/// <summary>The AppHost command line: <c>[--topology FILE] [--gateway-port N] [--dashboard-port N] [--no-dashboard] [--run-dir DIR] [--verbose]</c>.</summary>
public sealed record AppHostArguments
{
    public string? TopologyFile { get; init; }

    /// <summary>Overrides the topology's gateway port; 0 means any free port.</summary>
    public int? GatewayPort { get; init; }

    /// <summary>Overrides the dashboard port; 0 means any free port.</summary>
    public int? DashboardPort { get; init; }

    public bool NoDashboard { get; init; }

    public string? RunDirectory { get; init; }

    public bool Verbose { get; init; }

    public static AppHostArguments Parse(string[] args)
    {
        var topology = new Option<string?>("--topology", "-t") { Description = "Topology file (JSON); default AppHost/topologies/default.json" };
        var gatewayPort = new Option<int?>("--gateway-port") { Description = "Gateway port on 127.0.0.1 (0 = any free port)" };
        var dashboardPort = new Option<int?>("--dashboard-port") { Description = "Dashboard port on 127.0.0.1 (0 = any free port)" };
        var noDashboard = new Option<bool>("--no-dashboard") { Description = "Do not serve the dashboard" };
        var runDir = new Option<string?>("--run-dir") { Description = "Folder for generated files (default .run/<timestamp>)" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Echo every child's console output" };
        var root = new RootCommand("LivepeerAspire AppHost: starts a local Livepeer AI network from a topology file")
        {
            topology, gatewayPort, dashboardPort, noDashboard, runDir, verbose,
        };
        var result = root.Parse(args);
        if (result.Errors.Count == 0 && (result.Action is System.CommandLine.Help.HelpAction || result.Action?.GetType().Name == "VersionOptionAction"))
        {
            result.Invoke();
            throw new AppHostInfoShownException();
        }

        if (result.Errors.Count > 0)
        {
            throw new AppHostUsageException(string.Join(Environment.NewLine, result.Errors.Select(e => e.Message)));
        }

        var parsed = new AppHostArguments
        {
            TopologyFile = result.GetValue(topology),
            GatewayPort = result.GetValue(gatewayPort),
            DashboardPort = result.GetValue(dashboardPort),
            NoDashboard = result.GetValue(noDashboard),
            RunDirectory = result.GetValue(runDir),
            Verbose = result.GetValue(verbose),
        };
        foreach (var (name, port) in new[] { ("--gateway-port", parsed.GatewayPort), ("--dashboard-port", parsed.DashboardPort) })
        {
            if (port is < 0 or > 65535)
            {
                throw new AppHostUsageException($"{name} must be between 0 and 65535, not {port}.");
            }
        }

        return parsed;
    }
}
