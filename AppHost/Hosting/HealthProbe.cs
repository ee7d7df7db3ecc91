using System.Net.Sockets;

namespace LivepeerAspire.AppHost.Hosting;

/// <summary>Probes an instance the way its resource asks: GET of a health path (200 = healthy) or a TCP connect.</summary>
internal sealed class HealthProbe : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromSeconds(30),
        ConnectTimeout = TimeSpan.FromSeconds(2),
    })
    {
        Timeout = TimeSpan.FromSeconds(3),
    };

    public async Task<bool> IsHealthyAsync(Resource resource, string? baseUrl, CancellationToken ct)
    {
        try
        {
            switch (resource.HealthCheck.Kind)
            {
                case "http" when baseUrl is not null:
                    using (var response = await _http.GetAsync(baseUrl.TrimEnd('/') + resource.HealthCheck.Path, ct))
                    {
                        return response.IsSuccessStatusCode;
                    }

                case "tcp" when baseUrl is not null:
                    using (var client = new TcpClient())
                    {
                        var uri = new Uri(baseUrl);
                        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                        timeout.CancelAfter(TimeSpan.FromSeconds(2));
                        await client.ConnectAsync(uri.Host, uri.Port, timeout.Token);
                        return true;
                    }

                default:
                    return true;
            }
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or TaskCanceledException or OperationCanceledException or IOException)
        {
            return false;
        }
    }

    public void Dispose() => _http.Dispose();
}
