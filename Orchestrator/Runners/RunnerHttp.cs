namespace LivepeerAspire.Orchestrator.Runners;

/// <summary>
/// The one HTTP stack the orchestrator uses towards its runners: <see cref="Invoker"/> carries jobs through YARP's
/// forwarder, <see cref="Client"/> the start-up probes. No overall timeout: jobs can be long. Set up as YARP documents
/// for a forwarding client: no proxy, no redirects, no cookies, no automatic decompression.
/// </summary>
public sealed class RunnerHttp(HttpMessageHandler handler)
{
    public HttpClient Client { get; } = new(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

    public HttpMessageInvoker Invoker { get; } = new(handler, disposeHandler: false);

    public static RunnerHttp CreateDefault() => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,

        // A job stopped mid-answer (its payment did not come, the gateway left) must stop the runner: close the
        // connection rather than drain the rest of its answer, which would let it run on.
        MaxResponseDrainSize = 0,
    });
}
