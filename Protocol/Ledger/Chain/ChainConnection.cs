using System.Data.Common;
using System.Globalization;
using LivepeerAspire.Protocol.Eth;

namespace LivepeerAspire.Protocol.Ledger.Chain;

/// <summary>
/// Where the network's contracts live: <c>Endpoint=http://127.0.0.1:8545;ChainId=1337;TicketBroker=0x…;Registry=0x…;RoundsManager=0x…</c>,
/// the value of <c>ConnectionStrings:ledger</c> for a chain ledger (a SQLite ledger's is <c>Data Source=…</c>).
/// </summary>
public sealed record ChainConnection(Uri Endpoint, long ChainId, EthAddress TicketBroker, EthAddress Registry, EthAddress RoundsManager)
{
    public static bool IsChain(string connectionString) =>
        new DbConnectionStringBuilder { ConnectionString = connectionString }.ContainsKey("Endpoint");

    public static ChainConnection Parse(string connectionString)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        string Get(string key) => builder.TryGetValue(key, out var value) && value is string text && text.Length > 0
            ? text
            : throw new FormatException($"chain ledger connection string: '{key}' is missing (expected Endpoint, ChainId, TicketBroker, Registry, RoundsManager)");
        EthAddress Address(string key) => EthAddress.TryParse(Get(key), out var a) && !a.IsZero
            ? a
            : throw new FormatException($"chain ledger connection string: '{key}' is not a 0x address");

        if (!Uri.TryCreate(Get("Endpoint"), UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            throw new FormatException("chain ledger connection string: Endpoint must be an http(s) JSON-RPC URL");
        }

        if (!long.TryParse(Get("ChainId"), NumberStyles.None, CultureInfo.InvariantCulture, out var chainId) || chainId <= 0)
        {
            throw new FormatException("chain ledger connection string: ChainId must be a positive integer");
        }

        return new ChainConnection(endpoint, chainId, Address("TicketBroker"), Address("Registry"), Address("RoundsManager"));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"Endpoint={Endpoint.AbsoluteUri.TrimEnd('/')};ChainId={ChainId};TicketBroker={TicketBroker.ToLowerHex()};Registry={Registry.ToLowerHex()};RoundsManager={RoundsManager.ToLowerHex()}");
}
