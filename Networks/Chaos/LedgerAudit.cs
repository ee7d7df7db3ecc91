using System.Globalization;
using System.Numerics;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using Microsoft.Data.Sqlite;

namespace LivepeerAspire.Networks.Chaos;

/// <summary>One reconciliation check: what was compared and whether it held.</summary>
public sealed record AuditCheck(string Name, bool Ok, string Detail);

/// <summary>An orchestrator's side of the ledger after the run.</summary>
public sealed record OrchestratorAudit(string Name, OrchestratorTotals Totals, int Redemptions, BigInteger RedeemedFaceValue, BigInteger FeesEarned, double EvBoundWei);

public sealed record AuditResult(
    BigInteger GatewaySpent, BigInteger RedeemedFaceValue, int Redemptions, IReadOnlyList<OrchestratorAudit> Orchestrators, IReadOnlyList<AuditCheck> Checks)
{
    public bool Reconciled => Checks.All(c => c.Ok);
}

/// <summary>
/// Reconciles a paid network's embedded ledger after a run, the way the paid whole-network tests do: the gateway's
/// spent deposit and reserve equal the face value of the redeemed winners, each paid once and in full; each
/// orchestrator earned exactly what it redeemed, redeemed every winner it won (also those it held when it was
/// killed), and its redemptions lie within the binomial bound of the EV it was credited over all its lifetimes.
/// </summary>
public static class LedgerAudit
{
    /// <summary>Standard deviations of the binomial number of winners allowed between credited EV and redeemed face value.</summary>
    public const double Sigmas = 4;

    /// <summary>Waits until no orchestrator holds an unredeemed winner (params expire after 40 blocks), or <paramref name="limit"/> passes.</summary>
    public static async Task<bool> WaitForRedemptionsAsync(OrchestratorAccounts accounts, TimeSpan limit, CancellationToken cancel)
    {
        var deadline = DateTimeOffset.UtcNow + limit;
        while (true)
        {
            await accounts.SampleAllAsync(TimeSpan.FromSeconds(5), cancel);
            var totals = accounts.AllTotals();
            if (totals.Values.All(t => t.PendingRedemptions == 0))
            {
                return true;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancel);
        }
    }

    public static async Task<AuditResult> RunAsync(
        string runDirectory, BigInteger ticketEv, IReadOnlyDictionary<string, OrchestratorTotals> totals, IEnumerable<ChaosOutcome> faults, CancellationToken cancel)
    {
        var kills = faults.Where(f => f.Fault.Kind == ChaosKinds.Kill).ToList();
        var ledger = SqliteLedger.Open($"Data Source={Path.Combine(runDirectory, "ledger.db")}");
        try
        {
            var gateway = EthAccount.LoadOrCreate(Path.Combine(runDirectory, "gateway", "data")).Address;
            var redemptions = (await ledger.GetRedemptionsAsync(cancel)).Where(r => r.Sender == gateway).ToList();
            var funds = await ledger.GetSenderAsync(gateway, cancel);
            var (funded, withdrawn) = await ledger.GetSenderTotalsAsync(gateway, cancel);
            var spent = funded - withdrawn - funds.Deposit - funds.Reserve;
            var face = Sum(redemptions.Select(r => r.FaceValue));
            var paid = Sum(redemptions.Select(r => r.FromDeposit + r.FromReserve));
            var hashes = redemptions.Select(r => Convert.ToHexStringLower(r.TicketHash)).ToHashSet(StringComparer.Ordinal);
            var checks = new List<AuditCheck>
            {
                new("gateway: spent deposit + reserve = face value of redeemed winners", spent == face, $"{spent} wei spent, {face} wei redeemed ({redemptions.Count} winners)"),
                new("every winner paid in full from deposit and reserve", paid == face, $"{paid} wei paid out for {face} wei of face value"),
                new("no ticket redeemed twice", hashes.Count == redemptions.Count, $"{redemptions.Count} redemptions, {hashes.Count} distinct tickets"),
            };

            var rows = new List<OrchestratorAudit>();
            foreach (var (name, t) in totals.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                var address = EthAddress.Parse(t.Address);
                var mine = redemptions.Where(r => r.Recipient == address).ToList();
                var redeemed = Sum(mine.Select(r => r.FaceValue));
                var earned = (await ledger.GetOrchestratorAsync(address, cancel))?.FeesEarned ?? BigInteger.Zero;
                var bound = 0.0;
                if (mine.Count > 0)
                {
                    var faceValue = (double)mine[0].FaceValue;
                    var tickets = (double)t.CreditedWei / (double)ticketEv;
                    var p = (double)ticketEv / faceValue;
                    bound = faceValue * ((Sigmas * Math.Sqrt(tickets * p * (1 - p))) + 1);
                }

                rows.Add(new OrchestratorAudit(name, t, mine.Count, redeemed, earned, bound));
                checks.Add(new($"{name}: earned on the ledger = face value it redeemed", earned == redeemed, $"{earned} wei earned, {redeemed} wei redeemed"));
                checks.Add(new($"{name}: no winner left unredeemed or refused", t.PendingRedemptions == 0 && t.FailedRedemptions == 0,
                    $"{t.PendingRedemptions} pending, {t.FailedRedemptions} refused"));
                // A winner that arrived between a kill's last reading and the SIGKILL is on disk but not in the reading.
                var unread = kills.Where(k => k.Fault.Orchestrator == name).Sum(k => k.WinnersHeldAtKill.Count);
                checks.Add(new($"{name}: winners it reported = its redemptions on the ledger",
                    unread == 0 ? t.WinningTickets == mine.Count : mine.Count >= t.WinningTickets && mine.Count <= t.WinningTickets + unread,
                    $"{t.WinningTickets} winners over {t.Lifetimes} lifetime(s), {mine.Count} redeemed" +
                    (unread == 0 ? "" : $" (up to {unread} of the winners its kills left on disk may have arrived after the last reading)")));
                var gap = Math.Abs((double)(redeemed - t.CreditedWei));
                checks.Add(new($"{name}: redeemed face value within {Sigmas} σ of credited EV", mine.Count == 0 ? t.CreditedWei < ticketEv * 20 : gap <= bound,
                    string.Create(CultureInfo.InvariantCulture, $"credited {t.CreditedWei} wei, redeemed {redeemed} wei, |gap| {gap:0} ≤ bound {bound:0}")));
            }

            var held = kills.SelectMany(k => k.WinnersHeldAtKill).Distinct(StringComparer.Ordinal).ToList();
            var missing = held.Where(h => !hashes.Contains(h)).ToList();
            checks.Add(new("winners held by a killed orchestrator redeemed after its restart", missing.Count == 0,
                held.Count == 0 ? "no kill found a winner on disk" : $"{held.Count - missing.Count} of {held.Count} redeemed" + (missing.Count > 0 ? $"; missing {string.Join(", ", missing.Take(3))}" : "")));
            return new AuditResult(spent, face, redemptions.Count, rows, checks);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    /// <summary>
    /// Per orchestrator over one run (counter deltas): every job a client received was debited once, at the fee the
    /// client was told, and nothing else was debited. A debit without a delivered job is a fee charged for nothing;
    /// a delivered job without its debit is a fee lost.
    /// </summary>
    /// <param name="atKills">
    /// Per orchestrator, the fees of delivered jobs that ended within a kill's window (<see cref="ChaosOutcome.KillWindow"/>,
    /// plus the time an answer takes to arrive): their debits may have died unread with the process. A shortfall that
    /// exactly matches some of them is that, not a lost fee; it is said in the detail.
    /// </param>
    /// <param name="failedAtKills">
    /// Per orchestrator, the fees of jobs it answered (its Livepeer-Orchestrator header, a fee) that failed at the client
    /// within a kill's window: the orchestrator may have written the whole answer and debited it an instant before
    /// the SIGKILL, and the kernel's reset threw away what the gateway had not read yet. A surplus of debits that
    /// exactly matches some of them is that (paid for, not delivered, as any failed attempt); anything else is a
    /// charge for nothing.
    /// </param>
    public static IReadOnlyList<AuditCheck> JobChecks(
        IReadOnlyDictionary<string, OrchestratorTotals> runDelta, IReadOnlyDictionary<string, (long Jobs, BigInteger Fees)> delivered,
        IReadOnlyDictionary<string, IReadOnlyList<BigInteger>>? atKills = null, IReadOnlyDictionary<string, IReadOnlyList<BigInteger>>? failedAtKills = null)
    {
        var checks = new List<AuditCheck>();
        foreach (var (name, d) in runDelta.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var (jobs, fees) = delivered.GetValueOrDefault(name);
            var missingFees = fees - d.FeesDebitedWei;
            var missingJobs = jobs - d.JobsServed;
            var unread = missingJobs > 0 && ExplainedByKills(atKills?.GetValueOrDefault(name) ?? [], (int)missingJobs, missingFees);
            var lostInTransit = missingJobs < 0 && ExplainedByKills(failedAtKills?.GetValueOrDefault(name) ?? [], (int)-missingJobs, -missingFees);
            var note = unread ? $"; {missingJobs} job(s) finished in the instant between a kill's last reading and the SIGKILL"
                : lostInTransit ? $"; {-missingJobs} job(s) answered and debited an instant before a SIGKILL, the answer lost with the connection ({-missingFees} wei paid for, not delivered)"
                : "";
            checks.Add(new($"{name}: fees debited = Livepeer-Fee of the jobs clients received from it", missingFees == 0 || unread || lostInTransit,
                $"{d.FeesDebitedWei} wei debited, {fees} wei in the answers ({-missingFees} wei apart){note}"));
            checks.Add(new($"{name}: jobs it served = jobs clients received from it", missingJobs == 0 || unread || lostInTransit, $"{d.JobsServed} served, {jobs} received{note}"));
        }

        return checks;
    }

    /// <summary>Whether <paramref name="count"/> of <paramref name="fees"/> sum to exactly <paramref name="total"/>.</summary>
    public static bool ExplainedByKills(IReadOnlyList<BigInteger> fees, int count, BigInteger total)
    {
        if (count > fees.Count || fees.Count > 20)
        {
            return false;
        }

        for (var mask = 0; mask < 1 << fees.Count; mask++)
        {
            if (System.Numerics.BitOperations.PopCount((uint)mask) == count
                && Enumerable.Range(0, fees.Count).Where(i => (mask & (1 << i)) != 0).Aggregate(BigInteger.Zero, (sum, i) => sum + fees[i]) == total)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>How long after a kill an answer debited just before it may still reach the client.</summary>
    public static readonly TimeSpan AnswerInFlight = TimeSpan.FromSeconds(2);

    private static BigInteger Sum(IEnumerable<BigInteger> values) => values.Aggregate(BigInteger.Zero, (a, b) => a + b);
}
