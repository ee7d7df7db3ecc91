using System.Security.Cryptography;
using System.Text;
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
        Address = ParseAddress(o.EthAddress)
            ?? SHA256.HashData(Encoding.UTF8.GetBytes($"livepeer-aspire:{o.Name}:{o.ServiceUri}"))[..20];
    }

    public ReadOnlyMemory<byte> Address { get; }

    public TicketParams? GetTicketParams(ReadOnlyMemory<byte> gatewayAddress, PriceInfo price) => null;

    internal static byte[]? ParseAddress(string? hex)
    {
        if (string.IsNullOrWhiteSpace(hex))
        {
            return null;
        }

        var text = hex.Trim();
        text = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        try
        {
            var bytes = Convert.FromHexString(text);
            return bytes.Length == 20 ? bytes : throw new InvalidOperationException($"Orchestrator:EthAddress '{hex}' is not 20 bytes");
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"Orchestrator:EthAddress '{hex}' is not hex");
        }
    }
}
