using LivepeerAspire.LoadTests.Stats;

namespace LivepeerAspire.LoadTests.Reports;

/// <summary>The tables of a report as plain rows, rendered by both the Markdown and the HTML writer.</summary>
internal static class ReportTables
{
    public static ReportSection HeaderTable(ReportHeader h)
    {
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "started (UTC)", h.StartedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) },
            new[] { "command", h.Command },
            new[] { "gateway", h.Gateway },
            new[] { "topology", string.IsNullOrEmpty(h.Topology) ? "(a running gateway; topology not given)" : h.Topology },
            h.Seeds is { Count: > 1 } seeds
                ? new[] { "seeds", string.Join(", ", seeds.Select(x => Fmt.Int(x))) + " (one arrival sequence each; figures pooled over them where marked)" }
                : new[] { "seed", Fmt.Int(h.Seed) },
            new[] { "time scale", h.TimeScale is { } ts ? Fmt.Inv($"{ts} (latencies are scaled; real-world ≈ scaled ÷ {ts})") : "unknown (1 = real time)" },
        };
        rows.AddRange(h.Versions.Select(kv => (IReadOnlyList<string>)new[] { "version: " + kv.Key, kv.Value }));
        rows.AddRange(h.Machine.Select(kv => (IReadOnlyList<string>)new[] { "machine: " + kv.Key, kv.Value }));
        return new ReportSection("Run", ["", ""], rows);
    }

    public static ReportSection Overview(Report report)
    {
        var real = report.Header.TimeScale is { } ts && ts > 0 && Math.Abs(ts - 1) > 1e-12 ? ts : (double?)null;
        var columns = new List<string>
        {
            "run", "load", "target rps", "achieved rps", "requests", "ok", "failed", "timeouts", "success",
            "p50 ms", "p90 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms", "goodput rps",
        };
        if (real is not null)
        {
            columns.AddRange(["p50 real s", "p99 real s"]);
        }

        columns.Add("generator");
        var rows = report.Runs.Select(r =>
        {
            var o = r.Overall;
            var row = new List<string>
            {
                r.Label, r.Simulation, Fmt.Num(r.TargetRps), Fmt.Num(r.AchievedRps), Fmt.Int(o.Count), Fmt.Int(o.Ok), Fmt.Int(o.Failed),
                Fmt.Int(o.Timeouts), Fmt.Pct(o.SuccessRate), Fmt.Num(o.Latency.P50), Fmt.Num(o.Latency.P90), Fmt.Num(o.Latency.P95),
                Fmt.Num(o.Latency.P99), Fmt.Num(o.Latency.P999), Fmt.Num(o.Latency.Max), Fmt.Num(o.GoodputRps),
            };
            if (real is { } s)
            {
                row.AddRange([Fmt.Num(o.Latency.P50 / 1000 / s), Fmt.Num(o.Latency.P99 / 1000 / s)]);
            }

            row.Add(r.GeneratorOverloaded ? "OVERLOADED: " + r.OverloadReason : "kept up");
            return (IReadOnlyList<string>)row;
        }).ToList();
        return new ReportSection("Overview", columns, rows, "Latency from the intended send time, successful requests, measured phase only.");
    }

    public static ReportSection Groups(string title, IReadOnlyList<GroupStats> groups, bool withShare)
    {
        var columns = new List<string> { "name", "requests", "ok", "failed", "rps", "min", "mean", "stddev", "p50", "p75", "p90", "p95", "p99", "p99.9", "max", "goodput rps", "cost/job (wei)", "cost/ok job (wei)", "mean attempts" };
        if (withShare)
        {
            columns.Insert(1, "share");
        }

        var rows = groups.Select(g =>
        {
            var l = g.Latency;
            var row = new List<string>
            {
                g.Name, Fmt.Int(g.Count), Fmt.Int(g.Ok), Fmt.Int(g.Failed), Fmt.Num(g.Rps), Fmt.Num(l.Min), Fmt.Num(l.Mean), Fmt.Num(l.StdDev),
                Fmt.Num(l.P50), Fmt.Num(l.P75), Fmt.Num(l.P90), Fmt.Num(l.P95), Fmt.Num(l.P99), Fmt.Num(l.P999), Fmt.Num(l.Max),
                Fmt.Num(g.GoodputRps), Fmt.Wei(g.CostPerJobWei), Fmt.Wei(g.CostPerOkJobWei), Fmt.Num(g.MeanAttempts),
            };
            if (withShare)
            {
                row.Insert(1, Fmt.Pct(g.Share));
            }

            return (IReadOnlyList<string>)row;
        }).ToList();
        return new ReportSection(title, columns, rows, "Latency columns in ms.");
    }

    public static ReportSection? Tokens(RunSummary run)
    {
        var rows = run.ByJob.Where(g => g.Ttft.Count > 0 || g.OutputTokens > 0).Select(g => (IReadOnlyList<string>)
        [
            g.Name, Fmt.Num(g.Ttft.P50), Fmt.Num(g.Ttft.P90), Fmt.Num(g.Ttft.P99), Fmt.Num(g.Itl.Mean), Fmt.Num(g.Itl.P50), Fmt.Num(g.Itl.P99),
            Fmt.Num(g.Tpot.Mean), Fmt.Num(g.Tpot.P99), Fmt.Int(g.OutputTokens), Fmt.Num(g.OutputTokensPerSecond),
        ]).ToList();
        return rows.Count == 0
            ? null
            : new ReportSection(
                "LLM token timing",
                ["job", "TTFT p50 ms", "TTFT p90 ms", "TTFT p99 ms", "ITL mean ms", "ITL p50 ms", "ITL p99 ms", "TPOT mean ms", "TPOT p99 ms", "output tokens", "tokens/s"],
                rows);
    }

    public static ReportSection? Failures(RunSummary run)
    {
        var rows = run.Overall.FailureReasons.Select(kv => (IReadOnlyList<string>)[kv.Key, Fmt.Int(kv.Value)]).ToList();
        return rows.Count == 0 ? null : new ReportSection("Failures", ["reason", "count"], rows);
    }

    public static ReportSection RunFacts(RunSummary run)
    {
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "scenario", $"{run.Scenario} ({run.Mix})" },
            new[] { "load", run.Simulation },
            new[] { "warm-up", Fmt.Inv($"{run.WarmUpSeconds} s ({run.WarmUpRequestsExcluded} requests excluded)") },
            new[] { "measured", Fmt.Inv($"{run.MeasuredSeconds} s") },
            new[] { "request timeout", Fmt.Inv($"{run.RequestTimeoutSeconds} s") },
            new[] { "target / achieved rps", $"{Fmt.Num(run.TargetRps)} / {Fmt.Num(run.AchievedRps)}" },
            new[] { "send lag p50 / p99 / max", $"{Fmt.Num(run.SendLag.P50)} / {Fmt.Num(run.SendLag.P99)} / {Fmt.Num(run.SendLag.Max)} ms" },
            new[] { "generator", run.GeneratorOverloaded ? "OVERLOADED — " + run.OverloadReason + " (the target saw less load than asked for)" : "kept up with the schedule" },
            new[] { "SLO", run.Slo },
            new[] { "seed", Fmt.Int(run.Seed) },
        };
        rows.AddRange(run.Parameters.Select(kv => (IReadOnlyList<string>)new[] { kv.Key, kv.Value }));
        return new ReportSection("Setup", ["", ""], rows);
    }
}
