using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Net;

namespace LivepeerAspire.Orchestrator.Discovery;

/// <summary>
/// go-livepeer's verifyOrchestratorReq: on-chain, OrchestratorRequest.sig must be the requesting address's
/// personal_sign over its own checksummed address text. Off-chain go-livepeer's signature checks pass, and so does this.
/// </summary>
public sealed class GatewayRequestCheck(bool onChain)
{
    /// <summary>Null when the request may be answered, else why not (answered 403).</summary>
    public string? Refusal(OrchestratorRequest request)
    {
        if (!onChain)
        {
            return null;
        }

        if (request.Address.Length != EthAddress.Size)
        {
            return $"OrchestratorRequest.address must be the gateway's 20-byte ETH address (got {request.Address.Length} bytes)";
        }

        var address = new EthAddress(request.Address.Span);
        if (request.Sig.IsEmpty)
        {
            return $"OrchestratorRequest.sig is missing: sign your checksummed address {address} with personal_sign";
        }

        return MessageSignatures.VerifyAddressSignature(address, request.Sig.Span)
            ? null
            : $"OrchestratorRequest.sig does not verify for {address}: it must be personal_sign over that checksummed address text by its key";
    }
}
