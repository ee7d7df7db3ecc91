using LivepeerAspire.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LivepeerAspire.Orchestrator.Tests;

/// <summary>
/// The orchestrator wired as Program.cs wires it, on 127.0.0.1 (port 0; http unless <c>url</c> says https), with an
/// aiModels file in a temp directory. <see cref="Client"/> accepts the orchestrator's self-signed certificate.
/// </summary>
public sealed class OrchestratorHost : IAsyncDisposable
{
    private readonly string _dir;

    private OrchestratorHost(WebApplication app, HttpClient client, string dir, string url)
    {
        App = app;
        Client = client;
        _dir = dir;
        Url = url;
    }

    public WebApplication App { get; }
    public HttpClient Client { get; }
    public string Url { get; }

    public static async Task<OrchestratorHost> StartAsync(
        string aiModelsJson,
        Dictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        string url = "http://127.0.0.1:0")
    {
        var dir = Directory.CreateTempSubdirectory("orch-test-").FullName;
        var file = Path.Combine(dir, "aiModels.json");
        await File.WriteAllTextAsync(file, aiModelsJson);
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls(url);
        var config = new Dictionary<string, string?>
        {
            ["Orchestrator:AiModelsFile"] = file,
            ["Orchestrator:Name"] = "orch-test",
            ["Orchestrator:StopOnRunnerFailure"] = "false",
            ["Orchestrator:RunnerPollInterval"] = "00:00:00.050",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? [])
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.AddServiceDefaults();
        services?.Invoke(builder.Services);
        builder.AddOrchestratorServices();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapOrchestratorApi();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        return new OrchestratorHost(app, new HttpClient(handler) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) }, dir, address);
    }

    /// <summary>Waits (at most 30 s) until /health is 200, i.e. every runner is ready.</summary>
    public async Task WaitReadyAsync()
    {
        for (var i = 0; i < 300; i++)
        {
            if ((await Client.GetAsync("/health")).IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("orchestrator did not become healthy: " + await Client.GetStringAsync("/status"));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
