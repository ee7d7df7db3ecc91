using System.Collections.Concurrent;

namespace LivepeerAspire.Gateway.Selection;

/// <summary>
/// The adaptive strategy's running spend account per (pipeline, model), in wei: every pick adds
/// (budget price − chosen price) × work. A candidate priced above the budget is affordable only while the savings
/// cover its premium for this job, so over any run the average price paid stays at or below the budget price, up to
/// <see cref="SavingsCapJobs"/> jobs' worth of savings spent at once (the cap keeps a long quiet spell from buying a
/// long burst of premium picks).
/// </summary>
public sealed class SpendBudget
{
    /// <summary>Savings are capped at this many jobs at the budget price.</summary>
    public const double SavingsCapJobs = 4;

    private readonly ConcurrentDictionary<string, Account> accounts = new(StringComparer.Ordinal);

    public double Savings(string pipeline, string model) =>
        accounts.TryGetValue(Key(pipeline, model), out var account) ? account.Read() : 0;

    /// <summary>True when paying <paramref name="price"/> for <paramref name="work"/> units keeps the account at or above zero.</summary>
    public bool Affords(string pipeline, string model, double budgetPrice, double price, double work) =>
        (price - budgetPrice) * work <= Savings(pipeline, model) + (1e-9 * budgetPrice * Math.Max(work, 1));

    public void Charge(string pipeline, string model, double budgetPrice, double price, double work)
    {
        var account = accounts.GetOrAdd(Key(pipeline, model), _ => new Account());
        account.Add((budgetPrice - price) * work, SavingsCapJobs * budgetPrice * work);
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
