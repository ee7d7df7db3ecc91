using LivepeerAspire.LoadTests.Reports;
using LivepeerAspire.LoadTests.Running;
using LivepeerAspire.LoadTests.Stats;
using LivepeerAspire.Networks.Chaos;

namespace LivepeerAspire.LoadTests.Experiments.ScaleOut;

/// <summary>The scale-out report's tables and the conclusions its figures support.</summary>
public static class ScaleOutAnalysis
{
    /// <summary>Jobs a one-second window needs before its top share counts (a nearly empty second says nothing about herding).</summary>
    public const int MinJobsPerWindow = 5;

    private static readonly string[] RunColumns = ["jobs/s (ok)", "jobs", "ok", "failed", "p50 ms", "p95 ms", "p99 ms"];

    public static ReportSection ReplicaSection(IReadOnlyList<(int Replicas, RunSummary Summary)> rows) => new(
        "Replicas: throughput and latency",
        ["replicas", .. RunColumns, "jobs/s vs 1st row"],
        rows.Select(r => (IReadOnlyList<string>)[Fmt.Int(r.Replicas), .. Cells(r.Summary), Fmt.Pct(r.Summary.Overall.OkRps / rows[0].Summary.Overall.OkRps)]).ToList(),
        "The same seeded closed-model load against each replica count, each on a network of its own. 1 = one gateway as it "
        + "always ran (no front door, no Redis); more = that many replicas behind the front door (one more process on every job's path), sharing Redis.");

    public static IEnumerable<string> ReplicaConclusions(IReadOnlyList<(int Replicas, RunSummary Summary)> rows)
    {
        if (rows.Count < 2)
        {
            yield break;
        }

        var best = rows.MaxBy(r => r.Summary.Overall.OkRps);
        yield return Fmt.Inv($"Most jobs per second: {best.Replicas} replica(s), {best.Summary.Overall.OkRps:0.#} jobs/s; ")
            + string.Join(", ", rows.Select(r => Fmt.Inv($"{r.Replicas}: {r.Summary.Overall.OkRps:0.#} jobs/s, p95 {r.Summary.Overall.Latency.P95:0} ms")))
            + $" (machine: {Environment.ProcessorCount} cores shared by every replica, the front door, Redis, the orchestrators, the simulator and the load generator).";
        var failed = rows.Sum(r => r.Summary.Overall.Failed);
        yield return failed == 0 ? "No job failed in any replica count." : $"{failed} job(s) failed across the replica counts; see the runs' failure reasons.";
    }

    /// <summary>Jobs per orchestrator over the measured, successful jobs, and per one-second window the biggest orchestrator's share.</summary>
    public static Herding Herding(IReadOnlyList<RequestRecord> records, Func<string, string> name)
    {
        var ok = records.Where(r => r.IsMeasured && r.IsOk).ToList();
        var jobs = ok.GroupBy(r => name(r.Orchestrator)).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var shares = ok.GroupBy(r => (long)(r.SentMs / 1000)).Where(w => w.Count() >= MinJobsPerWindow)
            .Select(w => w.GroupBy(r => r.Orchestrator).Max(g => g.Count()) / (double)w.Count()).ToList();
        return new Herding(jobs, shares.Count > 0 ? shares.Average() : double.NaN, shares.Count > 0 ? shares.Max() : double.NaN, shares.Count);
    }

    public static ReportSection HerdSection(IReadOnlyList<HerdRun> runs, int capacity)
    {
        var names = runs.SelectMany(r => r.Herding.JobsByOrchestrator.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        return new ReportSection(
            "Adaptive: shared vs per-replica speed knowledge",
            ["run", .. RunColumns, .. names.Select(n => $"{n} jobs (share)"), "mean top share per second", "worst second"],
            runs.Select(r =>
            {
                var total = Math.Max(1, r.Herding.JobsByOrchestrator.Values.Sum());
                return (IReadOnlyList<string>)
                [
                    r.Summary.Label, .. Cells(r.Summary),
                    .. names.Select(n => r.Herding.JobsByOrchestrator.GetValueOrDefault(n) is var j ? $"{Fmt.Int(j)} ({Fmt.Pct(j / (double)total)})" : ""),
                    Fmt.Pct(r.Herding.MeanTopShare), Fmt.Pct(r.Herding.WorstTopShare),
                ];
            }).ToList(),
            $"The adaptive strategy on replicas that share each finished job's speed through Redis (SharedState:ShareSpeeds=true) and on replicas that "
            + $"each learn alone (false), every GPU at capacity {capacity} so the orchestrators, not the gateway, are the limit. "
            + $"'Top share' is, per one-second window of sends with at least {MinJobsPerWindow} successful jobs, the share of the busiest orchestrator: "
            + $"1/{Math.Max(1, names.Count)} is an even spread, near 100 % is every replica piling onto one orchestrator. "
            + "Which replica sent each job is not recorded, so the herd is seen from the orchestrators' side.");
    }

    public static IEnumerable<string> HerdConclusions(IReadOnlyList<HerdRun> runs)
    {
        if (runs.Count != 2)
        {
            yield break;
        }

        var (shared, alone) = (runs[0], runs[1]);
        yield return Fmt.Inv($"Adaptive with shared speeds: {shared.Summary.Overall.OkRps:0.#} jobs/s, p95 {shared.Summary.Overall.Latency.P95:0} ms, busiest orchestrator {shared.Herding.MeanTopShare:P0} of each second on average; ")
            + Fmt.Inv($"per-replica speeds: {alone.Summary.Overall.OkRps:0.#} jobs/s, p95 {alone.Summary.Overall.Latency.P95:0} ms, {alone.Herding.MeanTopShare:P0}.");
    }

    public static IEnumerable<ReportSection> RedisSections(
        RunSummary summary, IReadOnlyList<RequestRecord> records, RedisOutage? outage, IReadOnlyDictionary<string, OrchestratorTotals> delta,
        IReadOnlyList<AuditCheck> jobChecks, AuditResult ledger)
    {
        var windows = Windows(records, outage);
        yield return new ReportSection(
            "Redis killed and restored: jobs by phase",
            ["phase", "sent from s", "to s", "jobs", "ok", "failed", "failure reasons", "retried (attempts > 1)", "p95 ms"],
            windows.Select(w => (IReadOnlyList<string>)
            [
                w.Name, Fmt.Num(w.From), double.IsPositiveInfinity(w.To) ? "end" : Fmt.Num(w.To), Fmt.Int(w.Records.Count), Fmt.Int(w.Records.Count(r => r.IsOk)),
                Fmt.Int(w.Records.Count(r => !r.IsOk)), Reasons(w.Records), Fmt.Int(w.Records.Count(r => r.Attempts > 1)), Fmt.Num(Distribution.Of(w.Records.Where(r => r.IsOk).Select(r => r.LatencyMs)).P95),
            ]).ToList(),
            outage is null ? "The run ended before Redis was killed."
            : outage.Error is not null ? $"Redis fault: {outage.Error}."
            : Fmt.Inv($"redis-server killed with SIGKILL at {outage.Killed.TotalSeconds:0.0} s of the run (warm-up included), started again through the AppHost's resource-start at {outage.Restarted.TotalSeconds:0.0} s, healthy at {outage.Healthy?.TotalSeconds:0.0} s. Warm-up jobs are included here (the outage windows are what matters)."));
        yield return new ReportSection(
            "Redis killed and restored: orchestrators' side",
            ["orchestrator", "jobs served", "jobs failed at the runner", "tickets received", "winning tickets", "redeemed"],
            delta.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => (IReadOnlyList<string>)
            [
                d.Key, Fmt.Int(d.Value.JobsServed), Fmt.Int(d.Value.JobsFailed), Fmt.Int(d.Value.TicketsReceived), Fmt.Int(d.Value.WinningTickets), Fmt.Int(d.Value.TicketsRedeemed),
            ]).ToList(),
            "Each orchestrator's /status counters over the run (warm-up included, priming excluded). An attempt an orchestrator refused "
            + "(capacity, or a ticket it would not take) shows as a retried job on the client's side; the records do not say which.");
        yield return new ReportSection(
            "Reconciliation",
            ["check", "ok", "detail"],
            jobChecks.Concat(ledger.Checks).Select(c => (IReadOnlyList<string>)[c.Name, c.Ok ? "yes" : "NO", c.Detail]).ToList(),
            $"After every winning ticket was redeemed: the gateway's spent deposit and reserve ({ledger.GatewaySpent} wei) against {ledger.Redemptions} redemptions worth {ledger.RedeemedFaceValue} wei (Networks/Chaos/LedgerAudit, as the chaos experiment).");
    }

    public static IEnumerable<string> RedisConclusions(
        RunSummary summary, IReadOnlyList<RequestRecord> records, RedisOutage? outage, IReadOnlyDictionary<string, OrchestratorTotals> delta,
        IReadOnlyList<AuditCheck> jobChecks, AuditResult ledger)
    {
        var windows = Windows(records, outage);
        var down = windows.FirstOrDefault(w => w.Name == "Redis down");
        var failed = records.Count(r => !r.IsOk);
        yield return outage is { Error: null }
            ? Fmt.Inv($"Redis killed mid-run and restored: {records.Count(r => r.IsOk)} of {records.Count} jobs served ({failed} failed), {down?.Records.Count(r => r.IsOk) ?? 0} of them sent while Redis was down; {records.Count(r => r.Attempts > 1)} job(s) needed more than one attempt ({down?.Records.Count(r => r.Attempts > 1) ?? 0} of them sent while Redis was down).")
            : $"The Redis fault did not go as scheduled: {outage?.Error ?? "the run ended first"}.";
        yield return jobChecks.All(c => c.Ok) && ledger.Reconciled
            ? $"The ledger reconciles: every fee in the answers was debited once, and the gateway's deposit and reserve paid exactly the {ledger.Redemptions} redeemed winners."
            : $"The ledger does NOT reconcile: {string.Join("; ", jobChecks.Concat(ledger.Checks).Where(c => !c.Ok).Select(c => $"{c.Name}: {c.Detail}"))}.";
    }

    private sealed record Window(string Name, double From, double To, IReadOnlyList<RequestRecord> Records);

    private static List<Window> Windows(IReadOnlyList<RequestRecord> records, RedisOutage? outage)
    {
        if (outage is not { Error: null, Healthy: { } healthy })
        {
            return [new Window("whole run", 0, double.PositiveInfinity, records)];
        }

        var bounds = new (string Name, double From, double To)[]
        {
            ("before the kill", 0, outage.Killed.TotalMilliseconds),
            ("Redis down", outage.Killed.TotalMilliseconds, outage.Restarted.TotalMilliseconds),
            ("restarting", outage.Restarted.TotalMilliseconds, healthy.TotalMilliseconds),
            ("after Redis is back", healthy.TotalMilliseconds, double.PositiveInfinity),
        };
        return bounds.Select(b => new Window(b.Name, b.From / 1000, b.To / 1000, records.Where(r => r.SentMs >= b.From && r.SentMs < b.To).ToList())).ToList();
    }

    private static string Reasons(IReadOnlyList<RequestRecord> records) =>
        string.Join("; ", records.Where(r => !r.IsOk).GroupBy(r => r.Status == 0 ? r.Outcome : $"{r.Status}").Select(g => $"{g.Key} ×{g.Count()}"));

    private static IEnumerable<string> Cells(RunSummary s) =>
    [
        Fmt.Num(s.Overall.OkRps), Fmt.Int(s.Overall.Count), Fmt.Int(s.Overall.Ok), Fmt.Int(s.Overall.Failed),
        Fmt.Num(s.Overall.Latency.P50), Fmt.Num(s.Overall.Latency.P95), Fmt.Num(s.Overall.Latency.P99),
    ];
}
