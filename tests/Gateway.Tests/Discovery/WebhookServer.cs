using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LivepeerAspire.Gateway.Tests.Discovery;

/// <summary>A real orchestrator webhook on 127.0.0.1:0: GET /orchestrators answers <see cref="Body"/> with <see cref="Status"/>.</summary>
public sealed class WebhookServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private int requests;

    private WebhookServer(WebApplication app) => this.app = app;

    public string Body { get; set; } = "[]";

    public int Status { get; set; } = StatusCodes.Status200OK;

    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    public int Requests => Volatile.Read(ref requests);

    public string Url { get; private set; } = "";

    public static async Task<WebhookServer> StartAsync(string body = "[]")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var server = new WebhookServer(builder.Build()) { Body = body };
        server.app.MapGet("/orchestrators", server.AnswerAsync);
        await server.app.StartAsync();
        server.Url = server.app.Urls.First().TrimEnd('/') + "/orchestrators";
        return server;
    }

    /// <summary>The JSON a webhook sends for these service URLs (score 1 each).</summary>
    public static string List(params string[] urls) =>
        "[" + string.Join(",", urls.Select(u => $"{{\"address\":\"{u}\",\"score\":1}}")) + "]";

    /// <summary>A URL on 127.0.0.1 where nothing listens (connection refused).</summary>
    public static string DeadUrl()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}/orchestrators";
    }

    private async Task AnswerAsync(HttpContext context)
    {
        Interlocked.Increment(ref requests);
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.RequestAborted).ContinueWith(_ => { });
        }

        context.Response.StatusCode = Status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(Body));
    }

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2))) { await app.StopAsync(stop.Token); }
        await app.DisposeAsync();
    }
}
