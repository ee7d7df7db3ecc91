using Grpc.Core;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Net;

namespace LivepeerAspire.Orchestrator.Discovery;

/// <summary>
/// go-livepeer's gRPC service <c>net.Orchestrator</c> on the service port. Errors carry go-livepeer's status and
/// message: a refused request is UNKNOWN "Invalid orchestrator request (orchestrator req sig check failed)"
/// (a plain Go error becomes UNKNOWN in grpc-go), followed here by the reason.
/// </summary>
internal sealed class OrchestratorRpc(
    OrchestratorInfoBuilder builder,
    ServiceUriResolver serviceUri,
    GatewayRequestCheck check,
    IServiceProvider services,
    ILogger<OrchestratorRpc> logger) : Protocol.Net.Orchestrator.OrchestratorBase
{
    public const string RefusalPrefix = "Invalid orchestrator request (orchestrator req sig check failed)";

    public override Task<OrchestratorInfo> GetOrchestrator(OrchestratorRequest request, ServerCallContext context)
    {
        if (check.Refusal(request) is { } refusal)
        {
            logger.LogInformation("GetOrchestrator from {Peer} refused: {Reason}", context.Peer, refusal);
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unknown, $"{RefusalPrefix}: {refusal}"));
        }

        return Task.FromResult(builder.Build(request, serviceUri.Resolve()));
    }

    /// <summary>As go-livepeer: the reply is this orchestrator's signature over the value; off-chain it has no key and answers empty.</summary>
    public override Task<PingPong> Ping(PingPong request, ServerCallContext context)
    {
        var account = services.GetService<EthAccount>();
        var value = account is null ? [] : MessageSignatures.Sign(account, request.Value.Span);
        return Task.FromResult(new PingPong { Value = Google.Protobuf.ByteString.CopyFrom(value) });
    }
}
