using LivepeerAspire.AppHost;
using LivepeerAspire.AppHost.Resources;
using LivepeerAspire.AppHost.Topology;
using Microsoft.Extensions.DependencyInjection;

if (AppHostCommandLine.WantsHelp(args))
{
    Console.WriteLine(AppHostCommandLine.Usage);
    return 0;
}

try
{
    var builder = DistributedApplication.CreateBuilder(AppHostCommandLine.ForAspire(args));
    await builder.AddLivepeerNetworkAsync();
    builder.Services.AddHostedService<NetworkReadyReporter>();
    await builder.Build().RunAsync();
    Console.WriteLine("Stopped.");
    return 0;
}
catch (TopologyException e)
{
    Console.Error.WriteLine($"Invalid topology: {e.Message}");
    return 2;
}
catch (AppHostUsageException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(AppHostCommandLine.Usage);
    return 2;
}
