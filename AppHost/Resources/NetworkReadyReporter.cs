using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace LivepeerAspire.AppHost.Resources;

/// <summary>
/// Prints where the network answers once every Livepeer resource is healthy or has failed, and how long that took
/// from the AppHost's start (the start-up time the README states): <c>Gateway: …</c>, <c>Network view: …</c>,
/// <c>Dashboard: …</c>, then <c>N resources healthy in X s</c> and any that failed, by name.
/// </summary>
internal sealed class NetworkReadyReporter(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    IConfiguration configuration,
    DistributedApplicationExecutionContext execution) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!execution.IsRunMode)
        {
            return;
        }

        var resources = model.Resources.Where(r => r.Annotations.OfType<LivepeerRoleAnnotation>().Any()).ToList();
        var states = await Task.WhenAll(resources.Select(async r =>
        {
            var e = await notifications.WaitForResourceAsync(r.Name, re => SettledWait.IsSettled(re.Snapshot), stoppingToken);
            return (r.Name, State: e.Snapshot.State?.Text);
        }));
        var took = DateTime.Now - Process.GetCurrentProcess().StartTime;
        var gateway = resources.SingleOrDefault(r => r.Annotations.OfType<LivepeerRoleAnnotation>().Single().Role == LivepeerRole.Gateway);
        if (gateway is ServiceResource service && service.Annotations.OfType<EndpointAnnotation>().FirstOrDefault()?.Port is { } port)
        {
            Console.WriteLine($"Gateway: http://127.0.0.1:{port}");
            Console.WriteLine($"Network view: http://127.0.0.1:{port}/network");
        }

        if (configuration["ASPNETCORE_URLS"] is { Length: > 0 } dashboard && !string.IsNullOrEmpty(configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"]))
        {
            Console.WriteLine($"Dashboard: {dashboard.Split(';')[0]}");
        }

        var failed = states.Where(s => s.State != KnownResourceStates.Running).ToList();
        Console.WriteLine($"{states.Length - failed.Count} resources healthy in {took.TotalSeconds:0.0} s" +
            (failed.Count == 0 ? "" : $"; failed: {string.Join(", ", failed.Select(f => $"{f.Name} ({f.State})"))} (see their logs in the dashboard)"));
    }
}
