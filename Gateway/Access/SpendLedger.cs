using System.Collections.Concurrent;
using System.Numerics;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Gateway.Access;

/// <summary>
/// Each key's spend against its budget. An attempt's fee is reserved before its payment is sent and refused if
/// spent + reserved + fee would pass the budget, so concurrent jobs never take a key over it (on one gateway). The
/// attempt that serves the job is charged (that fee is the job's <c>Livepeer-Fee</c>); every other reservation is
/// released.
/// </summary>
public sealed class SpendLedger(PriceConverter converter)
{
    private readonly ConcurrentDictionary<string, Account> accounts = new(StringComparer.Ordinal);

    public void Load(IReadOnlyDictionary<string, BigInteger> spent)
    {
        foreach (var (keyId, fee) in spent)
        {
            var account = AccountOf(keyId);
            lock (account)
            {
                account.Spent = fee;
            }
        }
    }

    public BigInteger? BudgetWei(AccessKey key) => KeyBudget.Wei(key.Budget, converter);

    public (BigInteger Spent, BigInteger Reserved) Of(string keyId)
    {
        var account = AccountOf(keyId);
        lock (account)
        {
            return (account.Spent, account.Reserved);
        }
    }

    /// <summary>Nothing more can be spent: spent + reserved has reached the budget.</summary>
    public bool IsExhausted(AccessKey key, out string why)
    {
        why = "";
        if (BudgetWei(key) is not { } budget)
        {
            return false;
        }

        var (spent, reserved) = Of(key.Id);
        if (spent + reserved < budget)
        {
            return false;
        }

        why = $"API key '{key.Name}' is over its budget: {spent} wei spent of {budget} wei ({key.Budget})";
        return true;
    }

    public bool TryReserve(AccessKey key, BigInteger fee, out string why)
    {
        why = "";
        var budget = BudgetWei(key);
        var account = AccountOf(key.Id);
        lock (account)
        {
            if (budget is { } limit && account.Spent + account.Reserved + fee > limit)
            {
                why = $"API key '{key.Name}' cannot pay this job: its fee of {fee} wei would take the key past its budget ({account.Spent} wei spent, {account.Reserved} wei reserved by running jobs, budget {limit} wei); nothing was paid";
                return false;
            }

            account.Reserved += fee;
            return true;
        }
    }

    public void Settle(string keyId, BigInteger fee, bool charged)
    {
        var account = AccountOf(keyId);
        lock (account)
        {
            account.Reserved -= fee;
            if (charged)
            {
                account.Spent += fee;
            }
        }
    }

    private Account AccountOf(string keyId) => accounts.GetOrAdd(keyId, _ => new Account());

    private sealed class Account
    {
        public BigInteger Spent;
        public BigInteger Reserved;
    }
}
