using System.Collections.Concurrent;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Protocol.Payments;

/// <summary>
/// Credit per (sender, manifest id) on the orchestrator, as go-livepeer's core.Balances: tickets credit their EV, a
/// finished job debits its fee, and an entry idle for 10 minutes is dropped. Thread-safe.
/// </summary>
public sealed class Balances(TimeProvider time, TimeSpan? idleTimeout = null)
{
    private readonly TimeSpan idle = idleTimeout ?? TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<(EthAddress Owner, string Key), Entry> entries = new();
    private DateTimeOffset nextCleanup = time.GetUtcNow();

    public BigRational Credit(EthAddress owner, string key, BigRational amount) => Add(owner, key, amount);

    public BigRational Debit(EthAddress owner, string key, BigRational amount) => Add(owner, key, BigRational.Zero - amount);

    /// <summary>The balance, or null when there is no entry (never credited, or dropped as idle).</summary>
    public BigRational? Balance(EthAddress owner, string key)
    {
        if (!entries.TryGetValue((owner, key), out var entry))
        {
            return null;
        }

        lock (entry)
        {
            return entry.Amount;
        }
    }

    /// <summary>Takes the whole balance out (the gateway's Reserve), leaving zero.</summary>
    public BigRational Take(EthAddress owner, string key)
    {
        var entry = entries.GetOrAdd((owner, key), _ => new Entry());
        lock (entry)
        {
            var amount = entry.Amount;
            entry.Amount = BigRational.Zero;
            entry.Updated = time.GetUtcNow();
            return amount;
        }
    }

    public int Count => entries.Count;

    private BigRational Add(EthAddress owner, string key, BigRational amount)
    {
        var now = time.GetUtcNow();
        CleanupIfDue(now);
        var entry = entries.GetOrAdd((owner, key), _ => new Entry());
        lock (entry)
        {
            entry.Amount += amount;
            entry.Updated = now;
            return entry.Amount;
        }
    }

    private void CleanupIfDue(DateTimeOffset now)
    {
        if (now < nextCleanup)
        {
            return;
        }

        nextCleanup = now + TimeSpan.FromTicks(Math.Max(idle.Ticks / 10, TimeSpan.TicksPerSecond));
        foreach (var (k, entry) in entries)
        {
            lock (entry)
            {
                if (now - entry.Updated > idle)
                {
                    entries.TryRemove(k, out _);
                }
            }
        }
    }

    private sealed class Entry
    {
        public BigRational Amount = BigRational.Zero;
        public DateTimeOffset Updated;
    }
}
