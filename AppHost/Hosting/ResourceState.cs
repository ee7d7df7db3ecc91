namespace LivepeerAspire.AppHost.Hosting;

/// <summary>Lifecycle states shown by the dashboard, named after Aspire's KnownResourceStates where one exists.</summary>
public enum ResourceState
{
    /// <summary>Not started yet: waiting for its WaitFor dependencies to become healthy.</summary>
    Waiting,
    /// <summary>Process launched, health check not yet passing.</summary>
    Starting,
    /// <summary>Process up and health check passing.</summary>
    Running,
    /// <summary>Process up but the health check fails.</summary>
    Unhealthy,
    /// <summary>Crashed; will be started again after a back-off.</summary>
    Restarting,
    /// <summary>Exited with code 0 on its own.</summary>
    Exited,
    /// <summary>Could not start, or crashed more often than its restart policy allows.</summary>
    Failed,
    /// <summary>Stopped on request (dashboard or shutdown).</summary>
    Stopped,
    /// <summary>Cannot run on this machine (executable not installed, no container engine).</summary>
    Unavailable,
}

public static class ResourceStateExtensions
{
    public static string ToDisplay(this ResourceState state) => state.ToString().ToLowerInvariant();

    /// <summary>A state from which the instance will not move on its own.</summary>
    public static bool IsTerminal(this ResourceState state) =>
        state is ResourceState.Exited or ResourceState.Failed or ResourceState.Stopped or ResourceState.Unavailable;
}
