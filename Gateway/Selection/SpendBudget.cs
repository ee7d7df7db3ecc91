using System.Collections.Concurrent;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Selection;

/// <summary>
/// The adaptive strategy's running spend account per (pipeline, model), in wei: every pick adds
/// (budget price − price paid) × work. Savings are capped at one job at the budget price, so a quiet spell of cheap
/// picks cannot buy a long run of premium ones; a negative balance is debt that the strategy's price weight grows with.
/// </summary>
public sealed class SpendBudget
{
    private readonly ConcurrentDictionary<PipelineModel, Account> accounts = new();

    public double Savings(PipelineModel target) =>
        accounts.TryGetValue(target, out var account) ? account.Read() : 0;

    /// <summary>Debt in jobs of <paramref name="work"/> units at the budget price (negative while there are savings).</summary>
    public double DebtInJobs(PipelineModel target, double budgetPrice, double work) =>
        -Savings(target) / (budgetPrice * Math.Max(work, double.Epsilon));

    public void Charge(PipelineModel target, double budgetPrice, double price, double work, bool tail = false)
    {
        var account = accounts.GetOrAdd(target, _ => new Account());
        account.Add((budgetPrice - price) * work, budgetPrice * work, tail);
    }

    /// <summary>
    /// Whether this pick may be a tail pick: at least 1 / <paramref name="share"/> picks since the last one (this one
    /// included), so tail picks are spread evenly and never come in a burst: any run of n jobs holds at most
    /// ⌈n × share⌉ of them, which is what keeps them above p95 rather than in it.
    /// </summary>
    public bool TailAllowed(PipelineModel target, double share) =>
        accounts.TryGetValue(target, out var account) && account.TailAllowed(share);

    /// <summary>(all picks, tail picks) so far.</summary>
    public (long Picks, long TailPicks) Counts(PipelineModel target) =>
        accounts.TryGetValue(target, out var account) ? account.Counts() : (0, 0);

    private sealed class Account
    {
        private readonly Lock gate = new();
        private double savings;
        private long picks;
        private long tailPicks;
        private long sinceTail;

        public double Read()
        {
            lock (gate)
            {
                return savings;
            }
        }

        public void Add(double amount, double cap, bool tail)
        {
            lock (gate)
            {
                savings = Math.Min(savings + amount, cap);
                picks++;
                tailPicks += tail ? 1 : 0;
                sinceTail = tail ? 0 : sinceTail + 1;
            }
        }

        public bool TailAllowed(double share)
        {
            lock (gate)
            {
                return (sinceTail + 1) * share >= 1 - 1e-9;
            }
        }

        public (long, long) Counts()
        {
            lock (gate)
            {
                return (picks, tailPicks);
            }
        }
    }
}
