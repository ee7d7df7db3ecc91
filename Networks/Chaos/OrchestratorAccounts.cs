using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace LivepeerAspire.Networks.Chaos;

/// <summary>An orchestrator's payment and job counters (its <c>/status</c>), summed over its process lifetimes.</summary>
public sealed record OrchestratorTotals(
    string Address, BigInteger CreditedWei, BigInteger FeesDebitedWei, long TicketsReceived, long WinningTickets, long TicketsRedeemed,
    long JobsServed, long JobsFailed, long PendingRedemptions, long FailedRedemptions, int Lifetimes)
{
    public static OrchestratorTotals operator -(OrchestratorTotals a, OrchestratorTotals b) => a with
    {
        CreditedWei = a.CreditedWei - b.CreditedWei,
        FeesDebitedWei = a.FeesDebitedWei - b.FeesDebitedWei,
        TicketsReceived = a.TicketsReceived - b.TicketsReceived,
        WinningTickets = a.WinningTickets - b.WinningTickets,
        TicketsRedeemed = a.TicketsRedeemed - b.TicketsRedeemed,
        JobsServed = a.JobsServed - b.JobsServed,
        JobsFailed = a.JobsFailed - b.JobsFailed,
        FailedRedemptions = a.FailedRedemptions - b.FailedRedemptions,
        Lifetimes = a.Lifetimes - b.Lifetimes,
    };
}

/// <summary>
/// Keeps each orchestrator's counters across restarts: its counters live in memory and start at zero in a new
/// process, so the last reading of a lifetime is banked when the process is killed (read just before the SIGKILL)
/// and later readings add to it. Readings that belong to an ended lifetime are dropped.
/// </summary>
public sealed class OrchestratorAccounts(HttpClient http, IReadOnlyDictionary<string, string> orchestratorUrls)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Account> accounts = orchestratorUrls.Keys.ToDictionary(k => k, _ => new Account(), StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => accounts.Keys;

    /// <summary>Reads one orchestrator's /status; false when it did not answer within <paramref name="timeout"/>.</summary>
    public async Task<bool> SampleAsync(string name, TimeSpan timeout, CancellationToken cancel)
    {
        int lifetime;
        lock (gate)
        {
            lifetime = accounts[name].Lifetime;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        cts.CancelAfter(timeout);
        Reading reading;
        try
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(new Uri(orchestratorUrls[name].TrimEnd('/') + "/"), "status"), cts.Token));
            reading = Reading.Of(doc.RootElement);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or OperationCanceledException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            cancel.ThrowIfCancellationRequested();
            return false;
        }

        lock (gate)
        {
            var account = accounts[name];
            if (account.Lifetime == lifetime && (account.Last is null || reading.TicketsReceived >= account.Last.TicketsReceived))
            {
                account.Last = reading;
            }
        }

        return true;
    }

    public async Task SampleAllAsync(TimeSpan timeout, CancellationToken cancel) =>
        await Task.WhenAll(accounts.Keys.Select(n => SampleAsync(n, timeout, cancel)));

    /// <summary>The process was killed: what it last reported is final for that lifetime.</summary>
    public void EndLifetime(string name)
    {
        lock (gate)
        {
            var account = accounts[name];
            account.Banked = account.Banked.Add(account.Last ?? Reading.Zero);
            account.Last = null;
            account.Lifetime++;
        }
    }

    public OrchestratorTotals Totals(string name)
    {
        lock (gate)
        {
            var a = accounts[name];
            var sum = a.Banked.Add(a.Last ?? Reading.Zero);
            return new OrchestratorTotals(a.Last?.Address ?? a.Banked.Address, sum.Credited, sum.Debited, sum.TicketsReceived, sum.Winning, sum.Redeemed,
                sum.JobsServed, sum.JobsFailed, a.Last?.Pending ?? 0, sum.FailedRedemptions, a.Lifetime + 1);
        }
    }

    public IReadOnlyDictionary<string, OrchestratorTotals> AllTotals() => accounts.Keys.ToDictionary(n => n, Totals, StringComparer.Ordinal);

    private sealed class Account
    {
        public Reading Banked { get; set; } = Reading.Zero;
        public Reading? Last { get; set; }
        public int Lifetime { get; set; }
    }

    private sealed record Reading(string Address, BigInteger Credited, BigInteger Debited, long TicketsReceived, long Winning, long Redeemed,
        long JobsServed, long JobsFailed, long Pending, long FailedRedemptions)
    {
        public static readonly Reading Zero = new("", 0, 0, 0, 0, 0, 0, 0, 0, 0);

        public Reading Add(Reading b) => new(b.Address.Length > 0 ? b.Address : Address, Credited + b.Credited, Debited + b.Debited,
            TicketsReceived + b.TicketsReceived, Winning + b.Winning, Redeemed + b.Redeemed, JobsServed + b.JobsServed, JobsFailed + b.JobsFailed, 0,
            FailedRedemptions + b.FailedRedemptions);

        public static Reading Of(JsonElement status)
        {
            var p = status.GetProperty("payments");
            return new Reading(
                status.GetProperty("address").GetString()!,
                Wei(p, "creditedWei"), Wei(p, "feesDebitedWei"),
                p.GetProperty("ticketsReceived").GetInt64(), p.GetProperty("winningTickets").GetInt64(), p.GetProperty("ticketsRedeemed").GetInt64(),
                status.GetProperty("jobsServed").GetInt64(), status.GetProperty("jobsFailed").GetInt64(),
                p.GetProperty("pendingRedemptions").GetInt64(), p.GetProperty("failedRedemptions").GetInt64());
        }

        private static BigInteger Wei(JsonElement p, string name) => BigInteger.Parse(p.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);
    }
}
