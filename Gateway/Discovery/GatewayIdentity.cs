using LivepeerAspire.Protocol.Eth;

namespace LivepeerAspire.Gateway.Discovery;

/// <summary>
/// What the gateway puts in OrchestratorRequest.address and .sig. On-chain it is its key's address and go-livepeer's
/// InfoSig (personal_sign over the checksummed address text, computed once at start); off-chain nothing is signed and
/// the address comes from <c>Discovery:GatewayAddress</c>.
/// </summary>
public sealed class GatewayIdentity
{
    private GatewayIdentity(EthAddress? address, byte[]? signature)
    {
        Address = address;
        Signature = signature;
    }

    public static GatewayIdentity Unsigned { get; } = new(null, null);

    public EthAddress? Address { get; }

    public byte[]? Signature { get; }

    public static GatewayIdentity Signed(EthAccount account) => new(account.Address, MessageSignatures.SignOwnAddress(account));
}
