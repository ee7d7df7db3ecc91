using System.Numerics;
using LivepeerAspire.LoadTests.Reports;
using LivepeerAspire.LoadTests.Running;
using LivepeerAspire.LoadTests.Stats;
using LivepeerAspire.Networks.Chaos;

namespace LivepeerAspire.LoadTests.Experiments.Chaos;

/// <summary>One run of the chaos experiment as the analysis sees it.</summary>
public sealed record ChaosRun(RunSummary Summary, IReadOnlyList<RequestRecord> Records)
{
    public IEnumerable<RequestRecord> Measured => Records.Where(r => r.IsMeasured);
}

/// <summary>Everything measured, for the report.</summary>
public sealed record ChaosFindings(
    ChaosRun Baseline,
    ChaosRun Chaos,
    IReadOnlyList<ChaosOutcome> Faults,
    IReadOnlyDictionary<string, OrchestratorTotals> BaselineDelta,
    IReadOnlyDictionary<string, OrchestratorTotals> ChaosDelta,
    IReadOnlyDictionary<string, (long Jobs, BigInteger Fees)> ChaosDelivered,
    IReadOnlyList<AuditCheck> JobChecks,
    AuditResult? Ledger,
    double? TimeScale);

/// <summary>Tables and conclusions of the chaos report.</summary>
public static partial class ChaosAnalysis
{
    /// <summary>The share of accepted jobs that must finish within their deadline or be refused before any payment.</summary>
    public const double Target = 0.999;

    /// <summary>
    /// A failed job for which no ticket was credited: the gateway answered without trying an orchestrator (no or zero
    /// Livepeer-Attempts), or every orchestrator it tried refused for capacity, which an orchestrator does before it
    /// reads the payment (its message lists each try as "…: Capacity returned 503: insufficient capacity").
    /// </summary>
    public static bool RefusedBeforePayment(RequestRecord r)
    {
        if (r.IsOk || r.Status is < 400 or >= 600)
        {
            return false;
        }

        if (r.Attempts is null or 0)
        {
            return true;
        }

        var tried = r.Error.IndexOf("tried: ", StringComparison.Ordinal);
        return tried >= 0 && TriedEntry().Split(r.Error[(tried + 7)..]).All(t => t.Contains(": Capacity ", StringComparison.Ordinal));
    }

    [System.Text.RegularExpressions.GeneratedRegex("; (?=https?://)")]
    private static partial System.Text.RegularExpressions.Regex TriedEntry();

    public static bool Good(RequestRecord r) => r.IsOk || RefusedBeforePayment(r);

    public static (List<ReportSection> Sections, List<string> Conclusions) Analyse(ChaosFindings f)
    {
        var conclusions = new List<string>();
        var sections = new List<ReportSection>
        {
            Outcomes(f),
            Failures(f),
            FaultTable(f),
            Money(f),
        };
        var checks = f.JobChecks.Concat(f.Ledger?.Checks ?? []).ToList();
        sections.Add(new ReportSection("Reconciliation", ["check", "result", "detail"],
            checks.Select(c => (IReadOnlyList<string>)[c.Name, c.Ok ? "ok" : "FAILED", c.Detail]).ToList(),
            "Ledger checks cover the network's whole life (priming, the no-fault run and the chaos run); job checks cover the chaos run " +
            "(counter deltas from just before it to after every winner was redeemed, summed over each orchestrator's process lifetimes)."));

        var overloaded = new[] { f.Baseline, f.Chaos }.Where(r => r.Summary.GeneratorOverloaded).ToList();
        if (overloaded.Count > 0)
        {
            conclusions.Add($"The load generator fell behind in {string.Join(" and ", overloaded.Select(r => $"'{r.Summary.Label}' ({r.Summary.OverloadReason})"))}: " +
                "it sent less load than asked, so this run's latency and success figures are not used for conclusions. Run it again on a quieter machine.");
        }

        var measured = f.Chaos.Measured.ToList();
        var good = measured.Count(Good);
        var (low, high) = ChaosStats.Wilson(good, measured.Count);
        var faults = f.Faults.Count(o => o.Error is null);
        if (overloaded.Count == 0)
        {
            conclusions.Add(
                $"Under {faults} faults, {Fmt.Pct((double)good / Math.Max(1, measured.Count))} of {measured.Count} accepted jobs finished within their deadline or were refused before any payment " +
                $"(95 % CI {Fmt.Pct(low)}–{Fmt.Pct(high)}); the target is {Fmt.Pct(Target)}: " +
                (low >= Target ? "met." : (double)good / Math.Max(1, measured.Count) >= Target ? "met by the point estimate, not yet by the interval's lower end (more jobs would narrow it)." : "not met; the failures table says which faults cost the jobs."));
            var b = f.Baseline.Summary.Overall.Latency;
            var c = f.Chaos.Summary.Overall.Latency;
            conclusions.Add($"Latency of successful jobs: p95 {Fmt.Num(c.P95)} ms and p99 {Fmt.Num(c.P99)} ms under chaos against {Fmt.Num(b.P95)} ms and {Fmt.Num(b.P99)} ms without faults (scaled ms).");
        }

        var failedChecks = checks.Where(c => !c.Ok).ToList();
        conclusions.Add(failedChecks.Count == 0
            ? $"Money: the ledger reconciles to the wei ({f.Ledger?.Redemptions ?? 0} winners, {f.Ledger?.GatewaySpent ?? 0} wei spent = redeemed face value); no fee was lost and none charged twice, also across {f.Faults.Count(o => o.Fault.Kind == ChaosKinds.Kill && o.Error is null)} kills and restarts."
            : $"Money: {failedChecks.Count} reconciliation check(s) failed: {string.Join("; ", failedChecks.Select(c => $"{c.Name} ({c.Detail})"))}.");
        var notApplied = f.Faults.Where(o => o.Error is not null).ToList();
        if (notApplied.Count > 0)
        {
            conclusions.Add($"{notApplied.Count} fault(s) did not run as scheduled: {string.Join("; ", notApplied.Take(5).Select(o => $"{o.Fault}: {o.Error}"))}.");
        }

        return (sections, conclusions);
    }

    private static ReportSection Outcomes(ChaosFindings f)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var run in new[] { f.Baseline, f.Chaos })
        {
            var m = run.Measured.ToList();
            var ok = m.Where(r => r.IsOk).ToList();
            var good = m.Count(Good);
            var (sl, sh) = ChaosStats.Wilson(ok.Count, m.Count);
            var (gl, gh) = ChaosStats.Wilson(good, m.Count);
            var p95 = ChaosStats.Quantile(ok.Select(r => r.LatencyMs), 0.95);
            var p99 = ChaosStats.Quantile(ok.Select(r => r.LatencyMs), 0.99);
            rows.Add(
            [
                run.Summary.Label, Fmt.Int(m.Count), Fmt.Int(ok.Count), $"{Fmt.Pct((double)ok.Count / Math.Max(1, m.Count))} ({Fmt.Pct(sl)}–{Fmt.Pct(sh)})",
                $"{Fmt.Pct((double)good / Math.Max(1, m.Count))} ({Fmt.Pct(gl)}–{Fmt.Pct(gh)})",
                Fmt.Num(run.Summary.Overall.Latency.P50), $"{Fmt.Num(p95.Value)} ({Fmt.Num(p95.Low)}–{Fmt.Num(p95.High)})", $"{Fmt.Num(p99.Value)} ({Fmt.Num(p99.Low)}–{Fmt.Num(p99.High)})",
                Fmt.Int(m.Count(r => r.Attempts > 1)), Fmt.Num(run.Summary.AchievedRps) + " / " + Fmt.Num(run.Summary.TargetRps),
                run.Summary.GeneratorOverloaded ? "BEHIND: " + run.Summary.OverloadReason : "kept up",
            ]);
        }

        var scale = f.TimeScale is { } ts ? Fmt.Inv($" Latencies in scaled ms: divide by {ts} for modelled real-world time.") : "";
        return new ReportSection("Success and latency: chaos against no faults",
            ["run", "jobs", "ok", "success (95 % CI)", "ok or refused before payment (95 % CI)", "p50 ms", "p95 ms (95 % CI)", "p99 ms (95 % CI)", "failed over", "achieved / target rps", "load generator"],
            rows,
            "Measured phase only. Intervals: Wilson for shares, order statistics for quantiles. Refused before payment: a failed job the gateway answered without " +
            "trying any orchestrator (no or zero Livepeer-Attempts), or whose every try was refused for capacity (which an orchestrator checks before it reads the payment), so no ticket was credited for it. Failed over: Livepeer-Attempts > 1." + scale);
    }

    private static ReportSection Failures(ChaosFindings f)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var run in new[] { f.Baseline, f.Chaos })
        {
            foreach (var g in run.Measured.Where(r => !r.IsOk).GroupBy(r => (r.Job, Reason: Reason(r))).OrderByDescending(g => g.Count()))
            {
                rows.Add([run.Summary.Label, g.Key.Job, g.Key.Reason, Fmt.Int(g.Count()), Fmt.Int(g.Count(RefusedBeforePayment)),
                    Fmt.Int(g.Count(r => r.FeeWei.Length > 0 && r.FeeWei != "0"))]);
            }
        }

        if (rows.Count == 0)
        {
            rows.Add(["–", "–", "no job failed", "0", "0", "0"]);
        }

        return new ReportSection("Jobs failed and why", ["run", "job", "reason", "jobs", "refused before payment", "with a fee > 0"], rows,
            "Reason: the HTTP status and the gateway's message (numbers masked), or the client's transport error. A failed job with a fee > 0 in its Livepeer-Fee header is a stream that broke after its headers had gone out.");
    }

    /// <summary>The failure's status and message with digits masked, so that the same cause groups together.</summary>
    public static string Reason(RequestRecord r)
    {
        var text = r.Error;
        var prefix = "";
        var status = r.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ";
        if (r.Status > 0 && text.StartsWith(status, StringComparison.Ordinal))
        {
            prefix = status;
            text = text[status.Length..];
        }

        var masked = System.Text.RegularExpressions.Regex.Replace(text, @"\d+(\.\d+)?", "N");
        return prefix + (masked.Length > 110 ? masked[..110] + "…" : masked);
    }

    private static ReportSection FaultTable(ChaosFindings f)
    {
        var rows = new List<IReadOnlyList<string>>();
        var all = f.Chaos.Records;
        foreach (var o in f.Faults.OrderBy(o => o.Fault.At))
        {
            var from = o.Started.TotalMilliseconds;
            var to = o.Ended.TotalMilliseconds;
            var affected = all.Where(r => r.SentMs >= from && r.SentMs <= to && (!r.IsOk || r.Attempts > 1)).ToList();
            var routed = affected.Count == 0 ? 0 : (affected.Max(r => r.SentMs) - from) / 1000;
            rows.Add(
            [
                Fmt.Int(o.Fault.Index), o.Fault.Kind, o.Fault.Target, Fmt.Num(o.Started.TotalSeconds), Fmt.Num((o.Ended - o.Started).TotalSeconds),
                f.TimeScale is { } ts ? Fmt.Num((o.Ended - o.Started).TotalSeconds / ts) : "–",
                Fmt.Int(affected.Count), Fmt.Int(affected.Count(r => !r.IsOk)), Fmt.Num(routed),
                o.Healthy is { } h ? Fmt.Num((h - o.Ended).TotalSeconds) : "–",
                o.WinnersHeldAtKill.Count > 0 ? Fmt.Int(o.WinnersHeldAtKill.Count) : "–",
                o.Error ?? "",
            ]);
        }

        return new ReportSection("Faults and time to route around them",
            ["#", "kind", "target", "began at s", "lasted s", "modelled s", "jobs affected", "of them failed", "routed around after s", "restart to healthy s", "winners held at kill", "note"],
            rows,
            "Run time (wall clock) from the start of the chaos run. Jobs affected: sent while the fault was on and failed or failed over (Livepeer-Attempts > 1); " +
            "faults on different orchestrators can overlap, so a job may count for both. Routed around after: from the fault's start to the last affected job's send time " +
            "(0 = no job noticed it); after that, new jobs went elsewhere at once. Kill: lasted = SIGKILL until the AppHost's resource-start; restart to healthy: until the " +
            "resource was healthy again. Winners held at kill: unredeemed winning tickets the dead process left in its winning-tickets.json.");
    }

    private static ReportSection Money(ChaosFindings f)
    {
        var rows = new List<IReadOnlyList<string>>();
        var totalResidual = BigInteger.Zero;
        var totalBaselineResidual = BigInteger.Zero;
        foreach (var (name, d) in f.ChaosDelta.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var b = f.BaselineDelta.GetValueOrDefault(name);
            var (jobs, fees) = f.ChaosDelivered.GetValueOrDefault(name);
            var residual = d.CreditedWei - d.FeesDebitedWei;
            var baselineResidual = b is null ? BigInteger.Zero : b.CreditedWei - b.FeesDebitedWei;
            totalResidual += residual;
            totalBaselineResidual += baselineResidual;
            rows.Add(
            [
                name, Fmt.Int(d.Lifetimes + 1), Fmt.Int(d.TicketsReceived), d.CreditedWei.ToString(), d.FeesDebitedWei.ToString(), fees.ToString(),
                Fmt.Int(d.JobsServed) + " / " + Fmt.Int(jobs), residual.ToString(), baselineResidual.ToString(),
            ]);
        }

        rows.Add(["all", "", "", "", "", "", "", totalResidual.ToString(), totalBaselineResidual.ToString()]);
        return new ReportSection("Fees: what was credited, charged and paid for nothing (chaos run)",
            ["orchestrator", "lifetimes", "tickets received", "credited EV wei", "debited wei", "Livepeer-Fee of received jobs wei", "jobs served / received", "credit left (chaos) wei", "credit left (no faults) wei"],
            rows,
            "Credited EV: the EV of the tickets the orchestrator accepted; debited: the fees it charged against that credit for jobs it finished. Credit left = credited − debited: " +
            "the EV the gateway paid without a job in return. Without faults it is the rounding of fees up to whole tickets (the balance carries over to the next job); " +
            "the excess under chaos is the fees paid for failed attempts (tickets an orchestrator accepted for a job it then did not deliver). Tickets sent to a dead or frozen " +
            "orchestrator that never read them are not credited anywhere and cannot win, so they cost nothing.");
    }
}
