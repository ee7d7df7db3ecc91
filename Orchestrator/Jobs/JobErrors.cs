using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Orchestrator.Jobs;

/// <summary>Every error leaves as <c>{"detail":{"msg":"…"}}</c> with application/json.</summary>
public static class JobErrors
{
    public const string InsufficientCapacity = "insufficient capacity";

    public static Task WriteAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(RunnerError.Of(message), WireJson.Options, context.RequestAborted);
    }
}
