namespace LivepeerAspire.Orchestrator.Runners;

/// <summary>The one HttpClient the orchestrator uses towards its runners (no overall timeout: jobs can be long).</summary>
public sealed class RunnerHttp(HttpMessageHandler handler)
{
    public HttpClient Client { get; } = new(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

    public static RunnerHttp CreateDefault() => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    });
}
