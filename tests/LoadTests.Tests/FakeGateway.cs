using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LivepeerAspire.LoadTests.Tests;

/// <summary>A tiny Kestrel server on 127.0.0.1:0 standing in for the gateway; disposed (stopped) by each test.</summary>
public sealed class FakeGateway : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeGateway(WebApplication app, Uri url)
    {
        this.app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<FakeGateway> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/health", () => Results.Text("Healthy"));
        map(app);
        await app.StartAsync();
        var address = app.Urls.First();
        return new FakeGateway(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    /// <summary>Answers every job route at once with the Livepeer headers set.</summary>
    public static Task<FakeGateway> InstantAsync() => StartAsync(app =>
    {
        app.MapPost("/{pipeline}", async (HttpContext ctx, string pipeline) =>
        {
            SetLivepeerHeaders(ctx, "http://127.0.0.1:1/orch-a", 1, "1000");
            await ctx.Response.WriteAsJsonAsync(new { images = new[] { new { url = "data:,", seed = 1, nsfw = false } } });
        });
    });

    public static void SetLivepeerHeaders(HttpContext ctx, string orchestrator, int attempts, string fee)
    {
        ctx.Response.Headers["Livepeer-Orchestrator"] = orchestrator;
        ctx.Response.Headers["Livepeer-Attempts"] = attempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        ctx.Response.Headers["Livepeer-Fee"] = fee;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
