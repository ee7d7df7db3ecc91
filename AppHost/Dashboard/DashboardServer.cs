using LivepeerAspire.AppHost.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LivepeerAspire.AppHost.Dashboard;

/// <summary>Kestrel inside the AppHost process, on 127.0.0.1 only, serving the dashboard page and its JSON APIs.</summary>
internal sealed class DashboardServer(DistributedApplication app) : IAsyncDisposable
{
    private WebApplication? _web;

    public string? Url { get; private set; }

    public async Task StartAsync(int port, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        builder.Services.AddSingleton(app);
        builder.Services.AddSingleton<NetworkView>();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        _web = builder.Build();
        _web.MapDashboardApi();
        await _web.StartAsync(ct);
        var address = _web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Url = address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        if (_web is not null)
        {
            await _web.StopAsync(TimeSpan.FromSeconds(2));
            await _web.DisposeAsync();
        }
    }

    /// <summary>The AppHost owns Ctrl+C and SIGTERM; the dashboard's host must not react to them itself.</summary>
    private sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
