using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger.Chain;

namespace LivepeerAspire.Protocol.Ledger;

/// <summary>
/// Chooses the ledger from <c>ConnectionStrings:ledger</c>: <c>Endpoint=http://…;ChainId=…;TicketBroker=…;Registry=…;RoundsManager=…</c>
/// is an EVM chain (<see cref="ChainLedger"/>, transactions signed with <paramref name="account"/>); anything else, e.g.
/// <c>Data Source=/path/ledger.db</c>, is the embedded SQLite ledger.
/// </summary>
public static class LedgerFactory
{
    public static ILedger Open(string connectionString, LedgerOptions options, TimeProvider time, Func<EthAccount> account) =>
        ChainConnection.IsChain(connectionString)
            ? new ChainLedger(ChainConnection.Parse(connectionString), account(), time)
            : SqliteLedger.Open(connectionString, options, time);
}
