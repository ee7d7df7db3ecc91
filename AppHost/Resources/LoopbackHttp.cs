namespace LivepeerAspire.AppHost.Resources;

/// <summary>
/// The AppHost's own calls to the services it started (health probes, stakes, commands, the chain): loopback only, no
/// proxy, and any certificate, since orchestrators present the self-signed one from their data directory.
/// </summary>
internal static class LoopbackHttp
{
    public static HttpClient Create(TimeSpan timeout) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    })
    {
        Timeout = timeout,
    };
}
