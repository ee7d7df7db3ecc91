using LivepeerAspire.AppHost.Hosting;
using LivepeerAspire.AppHost.Topology;

// The composition lives in the topology file; this is the Aspire-shaped entry point around it.
try
{
    var builder = DistributedApplication.CreateBuilder(args);
    await builder.AddTopologyFileAsync();
    await using var app = builder.Build();
    await app.RunAsync();
    return 0;
}
catch (AppHostInfoShownException)
{
    return 0;
}
catch (AppHostUsageException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("usage: dotnet run --project AppHost -- [--topology FILE] [--gateway-port N] [--dashboard-port N] [--no-dashboard] [--run-dir DIR] [--verbose]");
    return 2;
}
catch (TopologyException e)
{
    Console.Error.WriteLine($"Invalid topology: {e.Message}");
    return 2;
}
catch (InvalidOperationException e) when (e.Source == typeof(DistributedApplication).Assembly.GetName().Name)
{
    Console.Error.WriteLine($"Invalid composition: {e.Message}");
    return 2;
}
