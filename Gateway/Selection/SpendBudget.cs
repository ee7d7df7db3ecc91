using System.Collections.Concurrent;

namespace LivepeerAspire.Gateway.Selection;

/// <summary>
/// The adaptive strategy's running spend account per (pipeline, model), in wei: every pick adds
/// (budget price − price paid) × work. Savings are capped at one job at the budget price, so a quiet spell of cheap
/// picks cannot buy a long run of premium ones; a negative balance is debt that the strategy's price weight grows with.
/// </summary>
public sealed class SpendBudget
{
    private readonly ConcurrentDictionary<string, Account> accounts = new(StringComparer.Ordinal);

    public double Savings(string pipeline, string model) =>
        accounts.TryGetValue(Key(pipeline, model), out var account) ? account.Read() : 0;

    /// <summary>Debt in jobs of <paramref name="work"/> units at the budget price (negative while there are savings).</summary>
    public double DebtInJobs(string pipeline, string model, double budgetPrice, double work) =>
        -Savings(pipeline, model) / (budgetPrice * Math.Max(work, double.Epsilon));

    public void Charge(string pipeline, string model, double budgetPrice, double price, double work)
    {
        var account = accounts.GetOrAdd(Key(pipeline, model), _ => new Account());
        account.Add((budgetPrice - price) * work, budgetPrice * work);
    }

    private static string Key(string pipeline, string model) => pipeline + "|" + model;

    private sealed class Account
    {
        private readonly Lock gate = new();
        private double savings;

        public double Read()
        {
            lock (gate)
            {
                return savings;
            }
        }

        public void Add(double amount, double cap)
        {
            lock (gate)
            {
                savings = Math.Min(savings + amount, cap);
            }
        }
    }
}
