using Grpc.Net.Client;
using LivepeerAspire.Protocol.Net;

namespace LivepeerAspire.Orchestrator.Tests.Grpc;

/// <summary>Clients of the orchestrator's TLS port that accept its self-signed certificate, as go-livepeer's gateway does.</summary>
internal static class TlsClients
{
    public static SocketsHttpHandler Handler() => new()
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    };

    public static (GrpcChannel Channel, Protocol.Net.Orchestrator.OrchestratorClient Client) Grpc(string url)
    {
        var channel = GrpcChannel.ForAddress(url, new GrpcChannelOptions { HttpHandler = Handler(), MaxSendMessageSize = null });
        return (channel, new Protocol.Net.Orchestrator.OrchestratorClient(channel));
    }

    /// <summary>An HttpClient that sends exactly the given HTTP version.</summary>
    public static HttpClient Http(string url, Version version) => new(Handler())
    {
        BaseAddress = new Uri(url),
        DefaultRequestVersion = version,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };
}
