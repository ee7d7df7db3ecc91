using System.Net;
using System.Text;

namespace LivepeerAspire.LoadTests.Reports;

/// <summary>report.html: one self-contained page (inline CSS and SVG, no scripts, no external resources).</summary>
public static class HtmlReportWriter
{
    private const string Style =
        "body{font-family:sans-serif;margin:24px;max-width:1200px;color:#222}" +
        "table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}" +
        "th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}th{background:#f3f3f3}" +
        "td:first-child,th:first-child{text-align:left}table.kv td{text-align:left}.warn{color:#b00;font-weight:bold}" +
        "svg{display:block;margin:12px 0;max-width:100%;height:auto}details{margin:10px 0}summary{font-weight:bold;cursor:pointer}";

    public static string Render(Report report)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        sb.Append($"<title>{E(report.Header.Title)}</title><style>{Style}</style></head><body>");
        sb.Append($"<h1>{E(report.Header.Title)}</h1>");
        Table(sb, ReportTables.HeaderTable(report.Header), 0);
        if (report.Conclusions.Count > 0)
        {
            sb.Append("<h2>Conclusions</h2><ul>");
            foreach (var c in report.Conclusions)
            {
                sb.Append($"<li>{E(c)}</li>");
            }

            sb.Append("</ul>");
        }

        var overloaded = report.Runs.Where(r => r.GeneratorOverloaded).ToList();
        foreach (var r in overloaded)
        {
            sb.Append($"<p class=\"warn\">Generator overloaded in run {E(r.Label)}: {E(r.OverloadReason)}. The target saw less load than asked for.</p>");
        }

        sb.Append("<h2>Charts</h2>");
        sb.Append(Charts(report));
        foreach (var section in report.Sections)
        {
            Table(sb, section, 2);
        }

        Table(sb, ReportTables.Overview(report), 2);
        foreach (var run in report.Runs)
        {
            sb.Append($"<details><summary>Run: {E(run.Label)}</summary>");
            Table(sb, ReportTables.RunFacts(run), 0);
            Table(sb, ReportTables.Groups("By job type", run.ByJob, true), 3);
            Table(sb, ReportTables.Groups("By orchestrator", run.ByOrchestrator, true), 3);
            if (ReportTables.Tokens(run) is { } tokens)
            {
                Table(sb, tokens, 3);
            }

            if (ReportTables.Failures(run) is { } failures)
            {
                Table(sb, failures, 3);
            }

            sb.Append("</details>");
        }

        sb.Append("<h2>Definitions</h2><ul>");
        foreach (var (term, meaning) in Definitions.All)
        {
            sb.Append($"<li><b>{E(term)}</b>: {E(meaning.Replace("*", "", StringComparison.Ordinal))}</li>");
        }

        sb.Append("</ul></body></html>");
        return sb.ToString();
    }

    public static string Charts(Report report)
    {
        var runs = report.Runs;
        var labels = runs.Select(r => r.Label).ToList();
        var sb = new StringBuilder();
        sb.Append(SvgCharts.GroupedBars(
            "Latency percentiles per run (successful requests)",
            labels,
            [
                ("p50", runs.Select(r => r.Overall.Latency.P50).ToArray()),
                ("p90", runs.Select(r => r.Overall.Latency.P90).ToArray()),
                ("p95", runs.Select(r => r.Overall.Latency.P95).ToArray()),
                ("p99", runs.Select(r => r.Overall.Latency.P99).ToArray()),
            ],
            "ms"));
        sb.Append(SvgCharts.Lines(
            runs.Count == 1 ? "Latency over time: p50 and p99 per interval, by intended send time" : "Latency over time: p99 per interval, by intended send time",
            runs.Count == 1
                ? [("p50", runs[0].Timeline.Select(b => (b.StartS, b.P50Ms)).ToList()), ("p99", runs[0].Timeline.Select(b => (b.StartS, b.P99Ms)).ToList())]
                : runs.Take(10).Select(r => (r.Label, (IReadOnlyList<(double, double)>)r.Timeline.Select(b => (b.StartS, b.P99Ms)).ToList())).ToList(),
            "seconds since start of run",
            "ms"));
        var orchestrators = runs.SelectMany(r => r.ByOrchestrator.Select(g => g.Name)).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
        sb.Append(SvgCharts.StackedBars(
            "Share of jobs per orchestrator",
            labels,
            orchestrators.Select(o => (o, runs.Select(r => (double)(r.ByOrchestrator.FirstOrDefault(g => g.Name == o)?.Count ?? 0)).ToArray())).ToList()));
        sb.Append(SvgCharts.StackedBars(
            "Success vs timeout vs other failure",
            labels,
            [
                ("ok", runs.Select(r => (double)r.Overall.Ok).ToArray()),
                ("timeout", runs.Select(r => (double)r.Overall.Timeouts).ToArray()),
                ("other failure", runs.Select(r => (double)(r.Overall.Failed - r.Overall.Timeouts)).ToArray()),
            ]));
        return sb.ToString();
    }

    private static void Table(StringBuilder sb, ReportSection section, int headingLevel)
    {
        if (headingLevel > 0)
        {
            sb.Append($"<h{headingLevel}>{E(section.Title)}</h{headingLevel}>");
        }

        var keyValue = section.Columns.All(c => c.Length == 0);
        sb.Append(keyValue ? "<table class=\"kv\">" : "<table>");
        if (!keyValue)
        {
            sb.Append("<tr>");
            foreach (var c in section.Columns)
            {
                sb.Append($"<th>{E(c)}</th>");
            }

            sb.Append("</tr>");
        }

        foreach (var row in section.Rows)
        {
            sb.Append("<tr>");
            foreach (var cell in row)
            {
                var cls = cell.StartsWith("OVERLOADED", StringComparison.Ordinal) ? " class=\"warn\"" : "";
                sb.Append($"<td{cls}>{E(cell)}</td>");
            }

            sb.Append("</tr>");
        }

        sb.Append("</table>");
        if (!string.IsNullOrEmpty(section.Note))
        {
            sb.Append($"<p>{E(section.Note)}</p>");
        }
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
