using Google.Protobuf;
using LivepeerAspire.Orchestrator.Jobs;
using LivepeerAspire.Protocol.Net;

namespace LivepeerAspire.Orchestrator.Discovery;

/// <summary>
/// POST /getOrchestrator: go-livepeer's GetOrchestrator RPC over plain HTTP (gRPC runtime packages are not
/// available): protobuf OrchestratorRequest in (empty body allowed; protobuf-JSON accepted when the
/// Content-Type is JSON), protobuf OrchestratorInfo out, or protobuf-JSON with Accept: application/json.
/// </summary>
public static class GetOrchestratorApi
{
    private const int MaxRequestBytes = 64 * 1024;
    private const string Protobuf = "application/x-protobuf";
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default);

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/getOrchestrator", HandleAsync);

    private static async Task HandleAsync(HttpContext context, OrchestratorInfoBuilder builder, ServiceUriResolver serviceUri, GatewayRequestCheck check)
    {
        var body = await BodyReader.ReadAsync(context, MaxRequestBytes);
        if (body.Error is { } error)
        {
            await JobErrors.WriteAsync(context, error.Status, error.Message);
            return;
        }

        OrchestratorRequest request;
        try
        {
            request = IsJson(context.Request.ContentType) && body.Bytes.Length > 0
                ? OrchestratorRequest.Parser.ParseJson(System.Text.Encoding.UTF8.GetString(body.Bytes))
                : OrchestratorRequest.Parser.ParseFrom(body.Bytes);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException)
        {
            await JobErrors.WriteAsync(context, StatusCodes.Status400BadRequest, $"body is not a valid net.OrchestratorRequest: {e.Message}");
            return;
        }

        if (check.Refusal(request) is { } refusal)
        {
            await JobErrors.WriteAsync(context, StatusCodes.Status403Forbidden, refusal);
            return;
        }

        var info = builder.Build(request, serviceUri.Resolve());
        if (context.Request.Headers.Accept.Any(a => a is not null && a.Contains("application/json", StringComparison.OrdinalIgnoreCase)))
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Json.Format(info), context.RequestAborted);
            return;
        }

        context.Response.ContentType = Protobuf;
        await context.Response.Body.WriteAsync(info.ToByteArray(), context.RequestAborted);
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && contentType.Contains("json", StringComparison.OrdinalIgnoreCase);
}
