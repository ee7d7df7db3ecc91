using LivepeerAspire.Gateway.Sessions;

namespace LivepeerAspire.Gateway.Selection;

/// <summary>An orchestrator's bonded stake in LPT. Off-chain it comes from configuration; the ledger can supply it later.</summary>
public interface IStakeReader
{
    decimal StakeOf(AiSession session);
}

/// <summary>Selection:Stakes, keyed by service URI or ETH address; missing = 0 (as go-livepeer treats a missing stake).</summary>
public sealed class ConfiguredStakeReader(StrategySelector selection) : IStakeReader
{
    public decimal StakeOf(AiSession session)
    {
        var stakes = selection.Options.Stakes;
        foreach (var (key, stake) in stakes)
        {
            if (string.Equals(Discovery.OrchestratorKey.Of(key), session.Key, StringComparison.OrdinalIgnoreCase)
                || (session.Address.Length > 0 && string.Equals(key, session.Address, StringComparison.OrdinalIgnoreCase)))
            {
                return stake;
            }
        }

        return 0;
    }
}
