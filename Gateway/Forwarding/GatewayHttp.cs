namespace LivepeerAspire.Gateway.Forwarding;

/// <summary>
/// The one outbound HTTP stack: an <see cref="HttpMessageInvoker"/> over <see cref="SocketsHttpHandler"/> with
/// pooled keep-alive connections and no overall timeout (each call carries its own deadline), as DESIGN.md
/// "Forwarding" measured. go-livepeer's 2 s dial timeout and 1 min idle close are kept. YARP's forwarder sends every
/// job attempt over it, so it is set up as YARP documents for a forwarding client: no proxy, no redirects, no cookies,
/// no automatic decompression. The default activity propagator stays: attempts carry no client headers
/// (see AttemptTransformer), so there is no incoming trace header to replace. Orchestrators serve https with
/// self-signed certificates, which go-livepeer's gateway accepts without verification; so does this one.
/// </summary>
public sealed class GatewayHttp : IDisposable
{
    public GatewayHttp()
    {
        Handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(2),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = int.MaxValue,

            // An abandoned attempt must stop the orchestrator's work: close the connection instead of draining the
            // rest of the answer (up to 1 MB and 2 s by default), during which it would go on computing.
            MaxResponseDrainSize = 0,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        Invoker = new HttpMessageInvoker(Handler, disposeHandler: false);
    }

    public SocketsHttpHandler Handler { get; }

    public HttpMessageInvoker Invoker { get; }

    public void Dispose()
    {
        Invoker.Dispose();
        Handler.Dispose();
    }
}
