using Google.Protobuf;
using LivepeerAspire.Orchestrator.Discovery;
using LivepeerAspire.Orchestrator.Models;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Payments;

namespace LivepeerAspire.Orchestrator.Payments;

/// <summary>
/// go-livepeer's verifySegCreds (403) for AI jobs: the <c>Livepeer-Segment</c> header decodes, is signed by the payment
/// sender (on-chain only: go-livepeer's signature checks pass off-chain), asks for capabilities this orchestrator has
/// (<see cref="CapabilityMatch"/>) and carries an auth token that this orchestrator issued and that has not expired.
/// Each method returns the error message, or null when the job may go on.
/// </summary>
public sealed class SegmentCredentialsCheck(AuthTokenIssuer tokens, ModelCatalog catalog)
{
    private const string FreshToken = "get a fresh one from getOrchestrator";

    /// <summary>
    /// Off-chain: a job without the header is let through (a deviation: go-livepeer requires it, but curl users and
    /// simulator-level tests have no token); a header that is present is checked like on-chain, minus the signature.
    /// </summary>
    public string? CheckOffChain(IHeaderDictionary headers)
    {
        var header = headers[SegmentCredentials.HeaderName].ToString();
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        return SegmentCredentials.TryDecode(header, out var segment, out var error) ? CapabilityError(segment) ?? TokenError(segment) : error;
    }

    /// <summary>On-chain: the header is required and must carry the payment sender's signature.</summary>
    public string? CheckOnChain(IHeaderDictionary headers, ByteString paymentSender)
    {
        var header = headers[SegmentCredentials.HeaderName].ToString();
        if (string.IsNullOrEmpty(header))
        {
            return $"missing {SegmentCredentials.HeaderName} header: on-chain, every job must carry the segment credentials (signed by the payment sender, with the auth token from getOrchestrator)";
        }

        if (!SegmentCredentials.TryDecode(header, out var segment, out var error))
        {
            return error;
        }

        if (paymentSender.Length != EthAddress.Size)
        {
            return $"{SegmentCredentials.HeaderName} needs a payment sender to verify its signature";
        }

        if (!SegmentCredentials.VerifySignature(segment, new EthAddress(paymentSender.Span)))
        {
            return $"invalid {SegmentCredentials.HeaderName} signature: not signed by the payment sender";
        }

        return CapabilityError(segment) ?? TokenError(segment);
    }

    private string? CapabilityError(SegData segment) =>
        CapabilityMatch.Mismatch(segment.Capabilities, CapabilitiesBuilder.Build(catalog, "")) is { } mismatch
            ? $"{SegmentCredentials.HeaderName} capabilities are not compatible: {mismatch}"
            : null;

    private string? TokenError(SegData segment) => tokens.Verify(segment.AuthToken) switch
    {
        AuthTokenVerdict.Valid => null,
        AuthTokenVerdict.Missing => $"missing auth token in {SegmentCredentials.HeaderName}; {FreshToken}",
        AuthTokenVerdict.Expired => $"expired auth token in {SegmentCredentials.HeaderName}: it expired at {DateTimeOffset.FromUnixTimeSeconds(segment.AuthToken.Expiration):u}; {FreshToken}",
        _ => $"invalid auth token in {SegmentCredentials.HeaderName}: not issued by this orchestrator (altered, from another orchestrator, or from before a restart); {FreshToken}",
    };
}
