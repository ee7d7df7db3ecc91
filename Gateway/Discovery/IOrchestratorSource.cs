namespace LivepeerAspire.Gateway.Discovery;

/// <summary>
/// Where orchestrator URLs come from. The configured list (-orchAddr plus Aspire references) is one source;
/// the ledger's registry can be another. Discovery asks every registered source and de-duplicates.
/// </summary>
public interface IOrchestratorSource
{
    string Name { get; }

    ValueTask<IReadOnlyList<Uri>> GetOrchestratorUrlsAsync(CancellationToken cancellationToken);
}
