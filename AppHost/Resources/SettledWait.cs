using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

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

    private static bool IsHealthy(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text == KnownResourceStates.Running && snapshot.HealthStatus == HealthStatus.Healthy;

    private static bool HasFailed(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text is { } state && (state == KnownResourceStates.FailedToStart || state == KnownResourceStates.RuntimeUnhealthy
            || KnownResourceStates.TerminalStates.Contains(state));
}
