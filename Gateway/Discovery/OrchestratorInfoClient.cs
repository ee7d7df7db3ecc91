using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using LivepeerAspire.Gateway.Forwarding;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Net;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Discovery;

/// <summary>An orchestrator's answer to getOrchestrator and how long it took (go-livepeer's LocalInfo.Latency).</summary>
public sealed record DiscoveredOrchestrator(Uri DiscoveryUrl, OrchestratorInfo Info, TimeSpan Latency)
{
    /// <summary>Base URL of the AI routes: the advertised service URI, as go-livepeer uses OrchestratorInfo.transcoder.</summary>
    public Uri ServiceUri => Uri.TryCreate(Info.Transcoder, UriKind.Absolute, out var uri) ? uri : DiscoveryUrl;

    public string Key => OrchestratorKey.Of(ServiceUri);
}

public interface IOrchestratorInfoClient
{
    Task<DiscoveredOrchestrator> GetOrchestratorAsync(Uri orchestrator, Capabilities? capabilities, CancellationToken cancellationToken);
}

/// <summary>
/// go-livepeer's GetOrchestratorInfo. An https:// orchestrator is called with gRPC <c>net.Orchestrator/GetOrchestrator</c>
/// over a fresh TLS connection each time (go-livepeer dials per call, so the measured latency includes the dial),
/// with a Discovery:GrpcConnectTimeout dial limit (GRPCConnectTimeout, 3 s) and any certificate accepted, as
/// orchestrators present self-signed ones. An http:// orchestrator cannot serve gRPC beside HTTP/1.1 on one port,
/// so it is asked with POST {orch}/getOrchestrator carrying the same protobuf messages (this project's own fallback).
/// Failures surface as <see cref="HttpRequestException"/> either way.
/// </summary>
public sealed class OrchestratorInfoClient(GatewayHttp http, TimeProvider time, IOptions<DiscoveryOptions> options, GatewayIdentity identity) : IOrchestratorInfoClient
{
    public async Task<DiscoveredOrchestrator> GetOrchestratorAsync(Uri orchestrator, Capabilities? capabilities, CancellationToken cancellationToken)
    {
        var request = new OrchestratorRequest();
        if (identity is { Address: { } signer, Signature: { } signature })
        {
            request.Address = ByteString.CopyFrom(signer.Span);
            request.Sig = ByteString.CopyFrom(signature);
        }
        else if (EthAddress.TryParse(options.Value.GatewayAddress, out var address))
        {
            request.Address = ByteString.CopyFrom(address.Span);
        }

        if (capabilities is not null)
        {
            request.Capabilities = WithMinVersion(capabilities, options.Value.OrchMinLivepeerVersion);
        }

        return orchestrator.Scheme == Uri.UriSchemeHttps
            ? await CallGrpcAsync(orchestrator, request, cancellationToken).ConfigureAwait(false)
            : await PostAsync(orchestrator, request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<DiscoveredOrchestrator> CallGrpcAsync(Uri orchestrator, OrchestratorRequest request, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.Value.GrpcConnectTimeout,
            UseProxy = false,
            UseCookies = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        using var channel = GrpcChannel.ForAddress(new UriBuilder(orchestrator) { Path = "/" }.Uri, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = false,
            MaxRetryAttempts = 0,
        });
        var client = new Protocol.Net.Orchestrator.OrchestratorClient(channel);
        var started = time.GetTimestamp();
        try
        {
            var info = await client.GetOrchestratorAsync(request, cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
            return new DiscoveredOrchestrator(orchestrator, info, time.GetElapsedTime(started));
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
        {
            throw new HttpRequestException($"GetOrchestrator at {orchestrator} failed: {e.StatusCode} {e.Status.Detail}", e);
        }
        catch (RpcException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    private async Task<DiscoveredOrchestrator> PostAsync(Uri orchestrator, OrchestratorRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(orchestrator, "getOrchestrator"));
        message.Content = new ByteArrayContent(request.ToByteArray());
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-protobuf"));
        var started = time.GetTimestamp();
        using var response = await http.Invoker.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var latency = time.GetElapsedTime(started);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"getOrchestrator at {orchestrator} answered {(int)response.StatusCode}");
        }

        return new DiscoveredOrchestrator(orchestrator, OrchestratorInfo.Parser.ParseFrom(body), latency);
    }

    /// <summary>go-livepeer's gateway also tells the orchestrator its minimum (Capabilities.constraints.minVersion).</summary>
    private static Capabilities WithMinVersion(Capabilities capabilities, string minVersion)
    {
        if (string.IsNullOrEmpty(minVersion))
        {
            return capabilities;
        }

        var copy = capabilities.Clone();
        copy.Constraints ??= new Capabilities.Types.Constraints();
        copy.Constraints.MinVersion = minVersion;
        return copy;
    }
}
