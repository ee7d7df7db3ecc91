using System.Net;
using System.Net.Sockets;

namespace LivepeerAspire.LoadTests;

/// <summary>Checks that a target is a loopback URL and answers at all, with messages a person can act on.</summary>
public static class Targets
{
    public static Uri ParseLoopback(string? text, string option = "--gateway")
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new UsageException($"missing {option}: give the gateway URL, e.g. {option} http://127.0.0.1:9935");
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"bad {option} '{text}': use an http URL such as http://127.0.0.1:9935");
        }

        var loopback = uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
        if (!loopback)
        {
            throw new UsageException($"refusing {option} '{text}': load tests only send traffic to loopback addresses (127.0.0.1, ::1, localhost)");
        }

        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    /// <summary>One GET to /health; any HTTP answer means reachable. Exit code 3 when nothing answers.</summary>
    public static async Task EnsureReachableAsync(HttpClient http, Uri gateway, CancellationToken cancel)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        cts.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            using var response = await http.GetAsync(new Uri(gateway, "health"), cts.Token);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException s)
        {
            throw new UsageException($"gateway {gateway} is unreachable: {s.SocketErrorCode} (is the network running? start it with the AppHost or pass the right --gateway)", 3);
        }
        catch (HttpRequestException e)
        {
            throw new UsageException($"gateway {gateway} is unreachable: {e.HttpRequestError}", 3);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new UsageException($"gateway {gateway} did not answer GET /health within 5 s", 3);
        }
    }
}
