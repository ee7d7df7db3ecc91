using LivepeerAspire.Protocol.Net;

namespace LivepeerAspire.Orchestrator.Payments;

/// <summary>
/// The orchestrator's ETH identity and the ticket parameters it hands each gateway in OrchestratorInfo
/// (go-livepeer: recipient.TicketParams, built from the advertised price).
/// </summary>
public interface ITicketParamsSource
{
    /// <summary>The 20-byte address advertised as OrchestratorInfo.address.</summary>
    ReadOnlyMemory<byte> Address { get; }

    /// <summary>Ticket params for a gateway (its 20-byte address, possibly empty) at the advertised price; null when unpaid.</summary>
    TicketParams? GetTicketParams(ReadOnlyMemory<byte> gatewayAddress, PriceInfo price);
}
