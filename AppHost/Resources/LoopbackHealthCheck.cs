using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LivepeerAspire.AppHost.Resources;

/// <summary>
/// <c>GET {url}/health</c> answering 2xx. An orchestrator serves https with the self-signed certificate it makes in its
/// data directory, as go-livepeer does, so no certificate is checked: the probe only ever calls 127.0.0.1.
/// </summary>
internal sealed class LoopbackHealthCheck(string url) : IHealthCheck, IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    })
    {
        Timeout = TimeSpan.FromSeconds(5),
    };

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await http.GetAsync($"{url}/health", cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"GET {url}/health answered {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return HealthCheckResult.Unhealthy($"GET {url}/health: {e.Message}");
        }
    }

    public void Dispose() => http.Dispose();
}
