using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LivepeerAspire.Runner.Ollama.Tests;

/// <summary>The shim on 127.0.0.1 (port 0) with in-memory configuration.</summary>
public sealed class ShimHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ShimHost(WebApplication app, HttpClient client)
    {
        _app = app;
        Client = client;
    }

    public HttpClient Client { get; }

    public static async Task<ShimHost> StartAsync(string ollamaBaseUrl, Dictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("SHIM_TEST_LOGS") == "1")
        {
            builder.Logging.AddConsole();
        }

        var config = new Dictionary<string, string?>
        {
            ["OllamaRunner:BaseUrl"] = ollamaBaseUrl,
            ["OllamaRunner:ModelId"] = "meta-llama/Meta-Llama-3.1-8B-Instruct",
            ["OllamaRunner:WarmOnStart"] = "false",
        };
        foreach (var (key, value) in settings ?? [])
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.AddOllamaRunnerServices();
        var app = builder.Build();
        app.MapOllamaRunnerApi();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ShimHost(app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) });
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
