using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Payments;

namespace LivepeerAspire.Orchestrator.Payments;

/// <summary>
/// On-chain mode: the address of the key in Orchestrator:DataDir, and ticket params for each gateway (its address from
/// OrchestratorRequest.address) at exactly the advertised PriceInfo. A request without a 20-byte address gets no params
/// (they are bound to the sender through the recipientRand HMAC), as does a sender whose reserve cannot back a ticket.
/// </summary>
public sealed class OnChainTicketParamsSource(EthAccount account, OrchestratorPayments payments, ILogger<OnChainTicketParamsSource> logger)
    : ITicketParamsSource
{
    private readonly byte[] address = account.Address.ToArray();

    public ReadOnlyMemory<byte> Address => address;

    public TicketParams? GetTicketParams(ReadOnlyMemory<byte> gatewayAddress, PriceInfo price)
    {
        if (gatewayAddress.Length != EthAddress.Size)
        {
            return null;
        }

        var sender = new EthAddress(gatewayAddress.Span);
        try
        {
            // SqliteLedger answers synchronously; ChainLedger serves the head from a 200 ms cache and reads the sender
            // and registry over loopback JSON-RPC, so this blocks for a few milliseconds at most.
            return payments.Issuer.IssueParamsAsync(sender, price).GetAwaiter().GetResult();
        }
        catch (PaymentException e)
        {
            logger.LogWarning("no ticket params for {Sender}: {Error}", sender, e.Message);
            return null;
        }
    }
}
