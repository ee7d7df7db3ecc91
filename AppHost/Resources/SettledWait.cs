using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace LivepeerAspire.AppHost.Resources;

public static class SettledWait
{
    /// <summary>Healthy and running, or failed to start, or exited: nothing more will come of waiting.</summary>
    public static bool IsSettled(CustomResourceSnapshot snapshot) => IsHealthy(snapshot) || HasFailed(snapshot);

    /// <summary>
    /// Holds the resource's start until <paramref name="dependency"/> is healthy or has failed. Aspire's
    /// <c>WaitFor</c> would keep the gateway down for good when one orchestrator fails to start; a real gateway runs
    /// with the orchestrators it can reach, and the dashboard shows the failed one with its logs.
    /// </summary>
    internal static IResourceBuilder<T> WaitForHealthyOrFailed<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency)
        where T : IResource
    {
        builder.ApplicationBuilder.Eventing.Subscribe<BeforeResourceStartedEvent>(builder.Resource, async (e, ct) =>
        {
            var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
            await notifications.WaitForResourceAsync(dependency.Resource.Name, re => IsSettled(re.Snapshot), ct);
        });
        return builder;
    }

    /// <summary>
    /// Holds the resource's start until <paramref name="dependency"/> is healthy, and fails it when the dependency
    /// failed instead. Aspire's <c>WaitFor</c> stops watching for failure once the dependency has been Running: a
    /// container that starts and then exits before its first health check (ContainerExitWatch reports it) would leave
    /// the resource waiting for good. A dependency still not healthy after <paramref name="timeout"/> is stopped, as
    /// go-livepeer removes a runner container that is not ready within its container timeout.
    /// </summary>
    internal static IResourceBuilder<T> WaitForHealthyOrFail<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency, TimeSpan timeout)
        where T : IResource
    {
        builder.ApplicationBuilder.Eventing.Subscribe<BeforeResourceStartedEvent>(builder.Resource, async (e, ct) =>
        {
            var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
            await notifications.PublishUpdateAsync(e.Resource, s => s with { State = KnownResourceStates.Waiting });
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(timeout);
            ResourceEvent settled;
            try
            {
                settled = await notifications.WaitForResourceAsync(dependency.Resource.Name, re => IsSettled(re.Snapshot), limit.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                var name = dependency.Resource.Name;
                e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(dependency.Resource)
                    .LogError("{Resource} did not become healthy within {Timeout}; stopping it, as go-livepeer stops a runner container that is not ready in time", name, timeout);
                await e.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(dependency.Resource, KnownResourceCommands.StopCommand, ct);
                throw new DistributedApplicationException($"'{name}' did not become healthy within {timeout} and was stopped; its console log says why.");
            }

            if (HasFailed(settled.Snapshot))
            {
                var exit = settled.Snapshot.ExitCode is { } code ? $" with exit code {code}" : "";
                throw new DistributedApplicationException(
                    $"'{dependency.Resource.Name}' is {settled.Snapshot.State?.Text}{exit}; its console log says why.");
            }
        });
        return builder;
    }

    private static bool IsHealthy(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text == KnownResourceStates.Running && snapshot.HealthStatus == HealthStatus.Healthy;

    private static bool HasFailed(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text is { } state && (state == KnownResourceStates.FailedToStart || state == KnownResourceStates.RuntimeUnhealthy
            || KnownResourceStates.TerminalStates.Contains(state));
}
