using LivepeerAspire.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LivepeerAspire.Gateway.Tests.Fakes;

/// <summary>The real gateway on 127.0.0.1:0, pointed at fake orchestrators, plus those orchestrators; disposes all.</summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private GatewayHost(WebApplication app, IReadOnlyList<FakeOrchestrator> orchestrators)
    {
        this.app = app;
        Orchestrators = orchestrators;
    }

    public IReadOnlyList<FakeOrchestrator> Orchestrators { get; }

    public HttpClient Client { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => app.Services;

    public static async Task<GatewayHost> StartAsync(IReadOnlyList<FakeOrchestrator> orchestrators, Dictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var config = new Dictionary<string, string?>
        {
            ["Discovery:OrchAddr"] = string.Join(",", orchestrators.Select(o => o.Url)),
            ["Discovery:NetworkPollInterval"] = "00:10:00",
            ["Selection:Seed"] = "7",
            ["urls"] = "http://127.0.0.1:0",
        };
        foreach (var (key, value) in settings ?? [])
        {
            config[key] = value;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(config);
        builder.AddServiceDefaults();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        configure?.Invoke(builder);
        builder.AddGatewayServices();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGatewayApi();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            // Tests that expect a refused start get no host to dispose: without this its logger and file-watch threads leak.
            await app.DisposeAsync();
            throw;
        }

        var host = new GatewayHost(app, orchestrators);
        host.BaseAddress = new Uri(app.Urls.First());
        host.Client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        return host;
    }

    public static async Task<GatewayHost> StartAsync(int count, Func<int, FakeModel[]> models, Dictionary<string, string?>? settings = null)
    {
        var fakes = new List<FakeOrchestrator>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                fakes.Add(await FakeOrchestrator.StartAsync(models(i)));
            }

            return await StartAsync(fakes, settings);
        }
        catch
        {
            foreach (var fake in fakes)
            {
                await fake.DisposeAsync();
            }

            throw;
        }
    }

    public T Get<T>() where T : notnull => app.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await app.StopAsync(stop.Token);
        }
        finally
        {
            await app.DisposeAsync();
            foreach (var o in Orchestrators)
            {
                await o.DisposeAsync();
            }
        }
    }
}
