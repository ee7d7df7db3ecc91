using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Gateway.Api;

/// <summary>A request the gateway refuses or cannot serve; the routes write it in their error shape.</summary>
public sealed class GatewayError(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public static GatewayError BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);
}

public static class ErrorWriter
{
    /// <summary>Livepeer routes: <c>{"detail":{"msg":"…"}}</c> (the @livepeer/ai SDK's HTTPError).</summary>
    public static Task Livepeer(HttpContext context, int status, string message) =>
        Write(context, status, RunnerError.Of(message));

    /// <summary>/v1 routes: OpenAI's <c>{"error":{"message","type"}}</c>.</summary>
    public static Task OpenAi(HttpContext context, int status, string message) =>
        Write(context, status, OpenAiError.Of(message, status switch
        {
            400 or 413 or 415 or 422 => "invalid_request_error",
            404 => "not_found_error",
            _ => "api_error",
        }));

    private static async Task Write<T>(HttpContext context, int status, T body)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(body, WireJson.Options, "application/json", context.RequestAborted).ConfigureAwait(false);
    }
}
