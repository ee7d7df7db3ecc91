using System.Collections.Concurrent;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;

namespace LivepeerAspire.Protocol.Payments;

/// <summary>
/// The ledger facts a payment check reads, read once per block instead of once per payment: this orchestrator's
/// registration and each sender's deposit, reserve and withdraw round. Reading them per payment was most of the validation's CPU (two SQLite queries, one listing every
/// orchestrator); go-livepeer likewise keeps sender info in memory (SenderMonitor) and refreshes it from chain events.
/// </summary>
internal sealed class PerBlockLedgerView(ILedger ledger, int capacity = 100_000)
{
    private readonly ConcurrentDictionary<EthAddress, (long Block, SenderInfo Info)> senders = new();
    private (long Block, EthAddress Address, OrchestratorRecord? Record)? self;

    public async Task<OrchestratorRecord?> SelfAsync(EthAddress address, ChainHead head, CancellationToken cancellationToken)
    {
        if (self is { } known && known.Block == head.BlockNumber && known.Address == address)
        {
            return known.Record;
        }

        var record = await ledger.GetOrchestratorAsync(address, cancellationToken);
        self = (head.BlockNumber, address, record);
        return record;
    }

    public async Task<SenderInfo> SenderAsync(EthAddress sender, ChainHead head, CancellationToken cancellationToken)
    {
        if (senders.TryGetValue(sender, out var known) && known.Block == head.BlockNumber)
        {
            return known.Info;
        }

        var info = await ledger.GetSenderAsync(sender, cancellationToken);
        if (senders.Count >= capacity)
        {
            senders.Clear(); // senders are few; a flood of one-off senders only costs reads, never memory
        }

        senders[sender] = (head.BlockNumber, info);
        return info;
    }
}
