namespace LivepeerAspire.Tests.Shared;

/// <summary>Declares the whole body, sends half of it, then the connection is dropped: a caller gone mid-upload.</summary>
internal sealed class BrokenUpload(byte[] body) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
        await stream.FlushAsync();
        throw new IOException("the caller went away mid-upload");
    }

    protected override bool TryComputeLength(out long length)
    {
        length = body.Length;
        return true;
    }
}

/// <summary>
/// A request carrying what a proxy must not pass on as it is: a hop-by-hop header named in Connection, Keep-Alive,
/// Proxy-Authorization, the caller's Authorization and Livepeer-* credentials; and the check on what arrived.
/// </summary>
internal static class HopByHopProbe
{
    public const string Secret = "caller-secret";

    public static HttpRequestMessage Request(string path, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TryAddWithoutValidation("Livepeer-Payment", Secret + "-payment");
        request.Headers.TryAddWithoutValidation("Livepeer-Segment", Secret + "-segment");
        request.Headers.Connection.Add("X-Hop");
        request.Headers.TryAddWithoutValidation("X-Hop", "hop");
        request.Headers.TryAddWithoutValidation("Keep-Alive", "timeout=5");
        request.Headers.TryAddWithoutValidation("Proxy-Authorization", "Basic " + Secret);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Secret);
        return request;
    }

    /// <summary><paramref name="seen"/>: the headers the next hop received, by lower-cased name.</summary>
    public static void ShouldHaveForwardedNone(IReadOnlyDictionary<string, string> seen)
    {
        seen.Values.ShouldNotContain(v => v.Contains(Secret, StringComparison.Ordinal));
        seen.Keys.ShouldNotContain("x-hop");
        seen.Keys.ShouldNotContain("keep-alive");
        seen.Keys.ShouldNotContain("proxy-authorization");
        seen.GetValueOrDefault("connection", "").ShouldNotContain("X-Hop");
    }
}
