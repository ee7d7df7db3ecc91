using LivepeerAspire.AppHost.Resources;
using LivepeerAspire.AppHost.Topology;

namespace LivepeerAspire.AppHost;

/// <summary>
/// The AppHost's own options, beside Aspire's (<c>--publisher manifest --output-path F</c> …). Every option is also a
/// configuration key, so <c>--topology F</c> reaches <c>builder.Configuration["topology"]</c>.
/// </summary>
internal static class AppHostCommandLine
{
    public const string Usage = """
        usage: dotnet run --project AppHost -- [--topology FILE] [--gateway-port N] [--dashboard-port N] [--run-dir DIR]
               dotnet run --project AppHost -- --publisher manifest --output-path FILE [--topology FILE]

          --topology FILE      network to start (default AppHost/topologies/default.json)
          --gateway-port N     gateway port on 127.0.0.1, 0 = any free port (default: the topology's, 9935)
          --dashboard-port N   Aspire dashboard port on 127.0.0.1, 0 = any free port (default 18888)
          --run-dir DIR        folder for generated files: fleet.json, aiModels.json, keys, ledger (default .run/<time>-<topology>)
        """;

    public static bool WantsHelp(string[] args) => args.Any(a => a is "--help" or "-h" or "-?");

    /// <summary>
    /// Turns <c>--dashboard-port N</c> into the dashboard's own settings. The launch profile pins the dashboard, its OTLP
    /// receiver and its resource service to 18888–18890; a second network on the same machine moves all three.
    /// </summary>
    public static string[] ForAspire(string[] args)
    {
        var index = Array.IndexOf(args, "--dashboard-port");
        if (index < 0)
        {
            return args;
        }

        if (index + 1 >= args.Length || !int.TryParse(args[index + 1], out var port) || port is < 0 or > 65535)
        {
            throw new AppHostUsageException("--dashboard-port needs a port between 0 and 65535 (0 = any free port).");
        }

        var rest = args.Take(index).Concat(args.Skip(index + 2));
        var dashboard = port == 0 ? LoopbackPorts.Allocate() : port;
        return
        [
            .. rest,
            "--ASPNETCORE_URLS", $"http://127.0.0.1:{dashboard}",
            "--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", $"http://127.0.0.1:{LoopbackPorts.Allocate()}",
            "--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL", $"http://127.0.0.1:{LoopbackPorts.Allocate()}",
        ];
    }
}
