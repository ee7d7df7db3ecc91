namespace LivepeerAspire.AppHost.Commands;

internal static class CommandState
{
    /// <summary>A command that talks to a running service is offered only while its resource runs.</summary>
    public static ResourceCommandState WhileRunning(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled;
}
