using System.Text.Json;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Api;

/// <summary>
/// go-livepeer's async image-to-video: <c>POST /image-to-video</c> with <c>Prefer: respond-async</c> answers 202
/// <c>{"request_id"}</c>; <c>POST /image-to-video/result</c> with <c>{"request_id"}</c> answers 202
/// <c>{"status":"processing"}</c>, then 200 <c>{"status":"complete","result":{…}}</c> where result is the synchronous
/// body, or <c>{"error":{"msg"}}</c> for a failed job. Other pipelines ignore the header, as go-livepeer does.
/// </summary>
public static class AsyncJobsApi
{
    public const string RespondAsync = "respond-async";

    public const string ResultRoute = "/image-to-video/result";

    /// <summary>RFC 7240: <c>Prefer</c> holds comma-separated preferences, each optionally with <c>;</c> parameters; names are case-insensitive.</summary>
    public static bool PrefersAsync(HttpRequest request) =>
        request.Headers["Prefer"]
            .SelectMany(v => (v ?? "").Split(','))
            .Any(p => p.Split(';')[0].Trim().Equals(RespondAsync, StringComparison.OrdinalIgnoreCase));

    public static IEndpointRouteBuilder MapAsyncJobsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(ResultRoute, ResultAsync)
            .DisableAntiforgery()
            .WithName("image-to-video-result");
        return app;
    }

    private static async Task ResultAsync(HttpContext context, AsyncJobs jobs, IOptions<LimitsOptions> limits, IOptions<AsyncJobsOptions> options)
    {
        string id;
        try
        {
            id = await ReadRequestIdAsync(context, limits.Value.MaxJsonBytes).ConfigureAwait(false);
        }
        catch (GatewayError e)
        {
            await ErrorWriter.Livepeer(context, e.Status, e.Message).ConfigureAwait(false);
            return;
        }

        if (await jobs.FindAsync(id).ConfigureAwait(false) is not { } state)
        {
            await ErrorWriter.Livepeer(
                context,
                StatusCodes.Status404NotFound,
                $"unknown request_id '{(id.Length > 64 ? id[..64] + "…" : id)}': it was never issued by this gateway, or its result expired (results are kept for {options.Value.ResultTtl}, AsyncJobs:ResultTtl)").ConfigureAwait(false);
            return;
        }

        if (!state.Complete)
        {
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            await context.Response.WriteAsJsonAsync(new ResultResponse("processing", null), ResponseOptions, "application/json", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        await context.Response.WriteAsJsonAsync(new ResultResponse("complete", state.Result), ResponseOptions, "application/json", context.RequestAborted).ConfigureAwait(false);
    }

    private static readonly JsonSerializerOptions ResponseOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private sealed record ResultResponse(string Status, JsonElement? Result);

    private static async Task<string> ReadRequestIdAsync(HttpContext context, long limit)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new GatewayError(StatusCodes.Status413PayloadTooLarge, $"request body is larger than the limit of {limit} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw GatewayError.BadRequest("request body is required: send {\"request_id\":\"<id from the 202 answer>\"}");
        }

        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(buffer.ToArray());
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw GatewayError.BadRequest($"request body is not valid JSON: {e.Message}");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw GatewayError.BadRequest("request body must be a JSON object: {\"request_id\":\"<id from the 202 answer>\"}");
        }

        if (!root.TryGetProperty("request_id", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw GatewayError.BadRequest("request_id is required: send {\"request_id\":\"<id from the 202 answer>\"}");
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw GatewayError.BadRequest($"request_id must be a string (got {value.ValueKind.ToString().ToLowerInvariant()})");
        }

        var id = value.GetString()!;
        return string.IsNullOrWhiteSpace(id) ? throw GatewayError.BadRequest("request_id must not be empty") : id;
    }
}
