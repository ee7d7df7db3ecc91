using LivepeerAspire.Orchestrator.Jobs;
using LivepeerAspire.Orchestrator.Tls;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace LivepeerAspire.Orchestrator.Discovery;

/// <summary>
/// gRPC <c>net.Orchestrator</c> beside the job routes on one port, as go-livepeer serves both. An https:// endpoint in
/// --urls / ASPNETCORE_URLS / Kestrel configuration gets the data dir's self-signed certificate and offers h2 and
/// http/1.1 by ALPN, so gRPC and HTTP/1.1 jobs share it. A plain http:// endpoint speaks HTTP/1.1 only (gRPC needs
/// HTTP/2, and Kestrel cannot mix cleartext HTTP/2 with HTTP/1.1 on one port); there POST /getOrchestrator serves
/// the same messages.
/// </summary>
internal static class GrpcEndpoints
{
    /// <summary>grpc-go's default receive limit; a larger request gets RESOURCE_EXHAUSTED.</summary>
    public const int MaxReceiveMessageBytes = 4 * 1024 * 1024;

    private const string ServicePath = "/net.Orchestrator";

    public static WebApplicationBuilder AddOrchestratorGrpc(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ServiceCertificate>();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = MaxReceiveMessageBytes;
            grpc.EnableDetailedErrors = false;
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
            kestrel.ConfigureHttpsDefaults(https =>
                https.ServerCertificate = kestrel.ApplicationServices.GetRequiredService<ServiceCertificate>().Certificate);
        });
        return builder;
    }

    public static WebApplication MapOrchestratorGrpc(this WebApplication app)
    {
        // go-livepeer hands a request to gRPC only when it is HTTP/2 with an application/grpc content type; anything
        // else goes to its HTTP mux, where these paths are not found.
        app.UseWhen(context => context.Request.Path.StartsWithSegments(ServicePath) && !IsGrpc(context.Request), branch =>
            branch.Run(context => JobErrors.WriteAsync(context, StatusCodes.Status404NotFound,
                $"{context.Request.Path} is a gRPC method: call it over HTTP/2 (TLS) with content-type application/grpc "
                + $"(got {context.Request.Protocol}, content-type '{context.Request.ContentType}')")));
        app.UseWhen(context => context.Request.Path.StartsWithSegments(ServicePath), branch => branch.Use(BoundedAsync));
        app.MapGrpcService<OrchestratorRpc>();
        return app;
    }

    /// <summary>
    /// A client that stalls mid-message would hold its stream until the connection dies (a grpc-timeout does not end a
    /// read that never completes); past Orchestrator:GrpcCallTimeout the stream is reset so that its resources go.
    /// </summary>
    private static async Task BoundedAsync(HttpContext context, RequestDelegate next)
    {
        var services = context.RequestServices;
        var limit = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OrchestratorOptions>>().Value.GrpcCallTimeout;
        using var timer = new CancellationTokenSource(limit, services.GetRequiredService<TimeProvider>());
        await using var registration = timer.Token.Register(() =>
        {
            services.GetRequiredService<ILogger<OrchestratorRpc>>().LogWarning(
                "gRPC call {Path} from {Peer} not done after {Limit}: stream reset", context.Request.Path, context.Connection.RemoteIpAddress, limit);
            context.Abort();
        });
        await next(context);
    }

    private static bool IsGrpc(HttpRequest request) =>
        HttpProtocol.IsHttp2(request.Protocol)
        && request.ContentType is { } type
        && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);
}
