using System.Text;
using LivepeerAspire.LoadTests.Stats;

namespace LivepeerAspire.LoadTests.Reports;

/// <summary>Compares a report with an earlier one, run by run (matched by label; a single run pairs with a single run).</summary>
public static class ReportComparer
{
    private static readonly (string Name, Func<RunSummary, double> Get, bool LowerIsBetter)[] Metrics =
    [
        ("requests", r => r.Overall.Count, false),
        ("success rate %", r => r.Overall.SuccessRate * 100, false),
        ("achieved rps", r => r.AchievedRps, false),
        ("p50 ms", r => r.Overall.Latency.P50, true),
        ("p90 ms", r => r.Overall.Latency.P90, true),
        ("p95 ms", r => r.Overall.Latency.P95, true),
        ("p99 ms", r => r.Overall.Latency.P99, true),
        ("p99.9 ms", r => r.Overall.Latency.P999, true),
        ("TTFT p99 ms", r => r.Overall.Ttft.P99, true),
        ("goodput rps", r => r.Overall.GoodputRps, false),
        ("cost per ok job (wei)", r => r.Overall.CostPerOkJobWei, true),
    ];

    public static ReportSection Compare(Report current, Report baseline)
    {
        var rows = new List<IReadOnlyList<string>>();
        var pairs = current.Runs
            .Select(r => (Now: r, Before: baseline.Runs.FirstOrDefault(b => b.Label == r.Label)
                ?? (current.Runs.Count == 1 && baseline.Runs.Count == 1 ? baseline.Runs[0] : null)))
            .ToList();
        foreach (var (now, before) in pairs)
        {
            if (before is null)
            {
                rows.Add([now.Label, "(no run with this label in the baseline)", "", "", "", ""]);
                continue;
            }

            foreach (var (name, get, lower) in Metrics)
            {
                var a = get(before);
                var b = get(now);
                if (double.IsNaN(a) && double.IsNaN(b))
                {
                    continue;
                }

                var delta = a != 0 && double.IsFinite(a) && double.IsFinite(b) ? (b - a) / Math.Abs(a) : double.NaN;
                var verdict = double.IsNaN(delta) || Math.Abs(delta) < 0.05 ? "≈" : (delta < 0) == lower ? "better" : "worse";
                rows.Add([now.Label, name, Fmt.Num(a), Fmt.Num(b), double.IsNaN(delta) ? "–" : Fmt.Pct(delta), verdict]);
            }
        }

        var note = $"Baseline: '{baseline.Header.Title}' started {baseline.Header.StartedUtc:u}, seed {baseline.Header.Seed}. " +
            "Changes under 5 % are marked ≈; latency percentiles of small samples move more than that by chance.";
        return new ReportSection("Comparison with baseline", ["run", "metric", "baseline", "this run", "change", ""], rows, note);
    }

    public static string RenderMarkdown(Report current, Report baseline)
    {
        var section = Compare(current, baseline);
        var sb = new StringBuilder();
        sb.AppendLine($"# {current.Header.Title} vs baseline").AppendLine();
        sb.AppendLine("| " + string.Join(" | ", section.Columns) + " |");
        sb.AppendLine("|" + string.Concat(section.Columns.Select(_ => "---|")));
        foreach (var row in section.Rows)
        {
            sb.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        sb.AppendLine().AppendLine(section.Note);
        return sb.ToString();
    }
}
