using System.Net.Http.Headers;
using Google.Protobuf;
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
/// POST {orch}/getOrchestrator with a protobuf OrchestratorRequest (deviation: go-livepeer uses gRPC; the gRPC
/// runtime is not on the package feed, so the same messages travel over plain HTTP).
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
