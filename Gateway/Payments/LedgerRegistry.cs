using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Protocol.Ledger;

namespace LivepeerAspire.Gateway.Payments;

/// <summary>
/// The ledger's orchestrator registry (go-livepeer: the BondingManager's active transcoder pool read through
/// <c>-ethUrl</c>), cached for <see cref="OnChainPaymentOptions.RegistryCacheTime"/>: service URIs for discovery and
/// stakes in LPT for the stake-price-latency strategy.
/// </summary>
public sealed class LedgerRegistry(ILedger ledger, OnChainPaymentOptions options, TimeProvider time)
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private (IReadOnlyList<OrchestratorRecord> Records, DateTimeOffset At)? cached;

    public async ValueTask<IReadOnlyList<OrchestratorRecord>> ActiveAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (cached is { } c && now - c.At < options.RegistryCacheTime)
        {
            return c.Records;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (cached is { } again && now - again.At < options.RegistryCacheTime)
            {
                return again.Records;
            }

            var records = await ledger.GetActiveOrchestratorsAsync(cancellationToken).ConfigureAwait(false);
            cached = (records, now);
            return records;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Stake in LPT of the orchestrator with this 0x address (0 when unknown).</summary>
    public decimal StakeOf(string address)
    {
        if (address.Length == 0)
        {
            return 0;
        }

        // One ledger read per cache period: a SQLite read, or one JSON-RPC call (getOrchestrators) on a chain ledger.
        var records = ActiveAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        var record = records.FirstOrDefault(r => string.Equals(r.Address.ToLowerHex(), address, StringComparison.OrdinalIgnoreCase));
        return record is null ? 0 : (decimal)(record.Stake / 1_000_000_000_000) / 1_000_000m; // LPT-wei → LPT, micro-LPT precision
    }
}

/// <summary>Discovery source <c>ledger</c> (Discovery:Source): every active orchestrator's registered service URI.</summary>
public sealed class LedgerOrchestratorSource(LedgerRegistry registry) : IOrchestratorSource
{
    public string Name => "ledger";

    public async ValueTask<IReadOnlyList<Uri>> GetOrchestratorUrlsAsync(CancellationToken cancellationToken)
    {
        var records = await registry.ActiveAsync(cancellationToken).ConfigureAwait(false);
        return records.Select(r => Uri.TryCreate(r.ServiceUri, UriKind.Absolute, out var uri) ? uri : null).OfType<Uri>().ToList();
    }
}

/// <summary>Stakes from the ledger's registry, by the orchestrator's advertised address.</summary>
public sealed class LedgerStakeReader(LedgerRegistry registry) : IStakeReader
{
    public decimal StakeOf(AiSession session) => registry.StakeOf(session.Address);
}
