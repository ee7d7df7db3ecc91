using System.Security.Cryptography;
using System.Text;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Net;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Orchestrator.Payments;

/// <summary>
/// Off-chain: no ticket params. The address is Orchestrator:EthAddress when set; otherwise a stable
/// pseudo-address (the first 20 bytes of SHA-256 of the name and service URI) so dashboards and gateways
/// can still tell orchestrators apart. It is not a key anyone holds.
/// </summary>
public sealed class OffchainTicketParamsSource : ITicketParamsSource
{
    public OffchainTicketParamsSource(IOptions<OrchestratorOptions> options)
    {
        var o = options.Value;
        Address = !string.IsNullOrWhiteSpace(o.EthAddress)
            ? EthAddress.Parse(o.EthAddress.Trim()).ToArray()
            : SHA256.HashData(Encoding.UTF8.GetBytes($"livepeer-aspire:{o.Name}:{o.ServiceUri}"))[..20];
    }

    public ReadOnlyMemory<byte> Address { get; }

    public TicketParams? GetTicketParams(ReadOnlyMemory<byte> gatewayAddress, PriceInfo price) => null;
}
