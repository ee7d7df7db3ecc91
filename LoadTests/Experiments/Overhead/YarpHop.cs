using System.CommandLine;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace LivepeerAspire.LoadTests.Experiments.Overhead;

/// <summary>
/// A plain YARP hop, the baseline the gateway is measured against: <c>MapForwarder</c> of every path to one
/// upstream, no selection, pricing or payment. It runs as its own process (<c>loadtests yarp-hop</c>), as the
/// gateway and orchestrator do, so it does not share the load generator's thread pool.
/// </summary>
public static class YarpHop
{
    public const string CommandName = "yarp-hop";

    public static Task<LoopbackServer> StartInProcessAsync(Uri upstream) => LoopbackServer.StartAsync(
        app => app.MapForwarder("/{**catch-all}", upstream.AbsoluteUri.TrimEnd('/')),
        services: s => s.AddHttpForwarder());

    /// <summary>Starts <c>loadtests yarp-hop --to URL</c> and returns once it listens.</summary>
    public static async Task<ChildServer> StartProcessAsync(Uri upstream, CancellationToken cancel)
    {
        var dll = typeof(YarpHop).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in new[] { dll, CommandName, "--to", upstream.AbsoluteUri })
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["DOTNET_TieredPGO"] = "0";
        start.Environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0";
        return await ChildServer.StartAsync(start, $"YARP hop → {upstream}", cancel);
    }

    /// <summary>The hidden <c>yarp-hop</c> command: serve until stdin closes (the parent ended) or the process is stopped.</summary>
    public static Command Create()
    {
        var to = new Option<string>("--to") { Description = "upstream base URL (loopback)", Required = true };
        var command = new Command(CommandName, "A plain YARP hop to one upstream (used by the overhead experiment).") { Hidden = true };
        command.Add(to);
        command.SetAction(async (p, cancel) =>
        {
            var upstream = Targets.ParseLoopback(p.GetValue(to)!, "--to");
            await using var server = await StartInProcessAsync(upstream);
            Console.Out.WriteLine(server.Url.AbsoluteUri);
            Console.Out.Flush();
            await Task.Run(() => Console.In.ReadToEnd(), cancel);
            return 0;
        });
        return command;
    }
}
