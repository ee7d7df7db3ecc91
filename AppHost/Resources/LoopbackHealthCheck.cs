using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LivepeerAspire.AppHost.Resources;

/// <summary>
/// <c>GET {url}/health</c> answering 2xx. An orchestrator serves https with the self-signed certificate it makes in its
/// data directory, as go-livepeer does, so no certificate is checked: the probe only ever calls 127.0.0.1.
/// Aspire re-runs a failing check after 1, 2, 3, 4, then every 5 s, so a service that needs 4 s to start was seen
/// healthy only at 6 s, at every step of the WaitFor chain; this check instead keeps probing every 100 ms for up to
/// <see cref="Patience"/> and reports as soon as the service answers.
/// </summary>
internal sealed class LoopbackHealthCheck(string url) : IHealthCheck, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(100);

    private readonly HttpClient http = LoopbackHttp.Create(TimeSpan.FromSeconds(2));

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var result = await ProbeAsync(cancellationToken);
            if (result.Status == HealthStatus.Healthy || DateTime.UtcNow + ProbeInterval > deadline)
            {
                return result;
            }

            await Task.Delay(ProbeInterval, cancellationToken);
        }
    }

    private async Task<HealthCheckResult> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync($"{url}/health", cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"GET {url}/health answered {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"GET {url}/health: {e.Message}");
        }
    }

    public void Dispose() => http.Dispose();
}
