using System.Text;

namespace LivepeerAspire.LoadTests.Reports;

/// <summary>report.md: header, conclusions, experiment tables, overview, per-run details, definitions.</summary>
public static class MarkdownReportWriter
{
    public static string Render(Report report)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# {report.Header.Title}").AppendLine();
        Table(sb, ReportTables.HeaderTable(report.Header), headingLevel: 0);
        if (report.Conclusions.Count > 0)
        {
            sb.AppendLine("## Conclusions").AppendLine();
            foreach (var c in report.Conclusions)
            {
                sb.AppendLine($"- {c}");
            }

            sb.AppendLine();
        }

        foreach (var section in report.Sections)
        {
            Table(sb, section, 2);
        }

        Table(sb, ReportTables.Overview(report), 2);
        foreach (var run in report.Runs)
        {
            sb.AppendLine($"## Run: {run.Label}").AppendLine();
            Table(sb, ReportTables.RunFacts(run), 0);
            Table(sb, ReportTables.Groups("By job type", run.ByJob, withShare: true), 3);
            Table(sb, ReportTables.Groups("By orchestrator", run.ByOrchestrator, withShare: true), 3);
            if (ReportTables.Tokens(run) is { } tokens)
            {
                Table(sb, tokens, 3);
            }

            if (ReportTables.Failures(run) is { } failures)
            {
                Table(sb, failures, 3);
            }
        }

        sb.AppendLine("## Definitions").AppendLine();
        foreach (var (term, meaning) in Definitions.All)
        {
            sb.AppendLine($"- **{term}**: {meaning}");
        }

        return sb.ToString();
    }

    private static void Table(StringBuilder sb, ReportSection section, int headingLevel)
    {
        if (headingLevel > 0)
        {
            sb.AppendLine($"{new string('#', headingLevel)} {section.Title}").AppendLine();
        }

        sb.AppendLine("| " + string.Join(" | ", section.Columns.Select(Cell)) + " |");
        sb.AppendLine("|" + string.Concat(section.Columns.Select(_ => "---|")));
        foreach (var row in section.Rows)
        {
            sb.AppendLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
        }

        sb.AppendLine();
        if (!string.IsNullOrEmpty(section.Note))
        {
            sb.AppendLine(section.Note).AppendLine();
        }
    }

    private static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
