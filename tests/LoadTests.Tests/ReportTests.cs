using System.Text.RegularExpressions;
using System.Xml.Linq;
using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Load;
using LivepeerAspire.LoadTests.Reports;
using LivepeerAspire.LoadTests.Running;
using LivepeerAspire.LoadTests.Stats;

namespace LivepeerAspire.LoadTests.Tests;

public sealed class ReportTests
{
    private static (Report Report, List<RequestRecord> Records) Sample(string label = "round-robin", double latencyScale = 1)
    {
        ScenarioCatalog.TryResolve("llm-stream", out var scenario, out _);
        var plan = JobPlan.Create(scenario!, new InjectSimulation(2, TimeSpan.FromSeconds(2)), TimeSpan.FromSeconds(1), 100, 1);
        var records = plan.Requests.Select(p => new RequestRecord
        {
            Run = label,
            Index = p.Index,
            Job = p.Kind.Name(),
            Phase = p.Intended < plan.WarmUp ? "warmup" : "measure",
            IntendedMs = p.Intended!.Value.TotalMilliseconds,
            SentMs = p.Intended!.Value.TotalMilliseconds + 1,
            EndMs = p.Intended!.Value.TotalMilliseconds + ((100 + (10 * p.Index)) * latencyScale),
            Status = p.Index == 5 ? 0 : 200,
            Outcome = p.Index == 5 ? Outcomes.Timeout : Outcomes.Ok,
            Error = p.Index == 5 ? "no complete answer, \"quoted\", within 1 s" : "",
            TtftMs = 20,
            ItlMs = [5, 6],
            Tokens = 3,
            Orchestrator = p.Index % 2 == 0 ? "http://127.0.0.1:8935" : "http://127.0.0.1:8936",
            Attempts = 1,
            FeeWei = "1000",
        }).ToList();
        var summary = SummaryBuilder.Build(label, scenario!, plan, records, new Slo(LatencyMs: 150), TimeSpan.FromSeconds(1));
        var report = new Report
        {
            Header = new ReportHeader { Title = "Test <report>", Command = "loadtests run", Seed = 1, TimeScale = 0.01, Gateway = "http://127.0.0.1:9935/", Machine = MachineInfo.Machine(), Versions = MachineInfo.Versions() },
            Runs = [summary],
            Conclusions = ["adaptive wins"],
        };
        return (report, records);
    }

    [Fact]
    public void Summary_excludes_warm_up_and_reports_target_and_achieved_rate()
    {
        var (report, records) = Sample();
        var run = report.Runs[0];

        run.WarmUpRequestsExcluded.ShouldBe(2);
        run.Overall.Count.ShouldBe(4);
        run.Overall.Timeouts.ShouldBe(1); // indices 0-1 fall in the 1 s warm-up, 2-5 are measured; 5 timed out
        records.Count(r => r.IsMeasured && r.Outcome == Outcomes.Timeout).ShouldBe(run.Overall.Timeouts);
        run.TargetRps.ShouldBe(2);
        run.AchievedRps.ShouldBe(2, 0.01);
        run.GeneratorOverloaded.ShouldBeFalse();
        run.ByOrchestrator.Select(g => g.Share).Sum().ShouldBe(1, 1e-9);
    }

    [Fact]
    public void A_generator_that_falls_behind_is_flagged()
    {
        ScenarioCatalog.TryResolve("llm", out var scenario, out _);
        var plan = JobPlan.Create(scenario!, new InjectSimulation(10, TimeSpan.FromSeconds(1)), TimeSpan.Zero, 100, 1);
        var late = plan.Requests.Select(p => new RequestRecord
        {
            Index = p.Index, Job = "llm", Phase = "measure", Outcome = Outcomes.Ok,
            IntendedMs = p.Intended!.Value.TotalMilliseconds, SentMs = p.Intended!.Value.TotalMilliseconds * 3, EndMs = (p.Intended!.Value.TotalMilliseconds * 3) + 5,
        }).ToList();

        var summary = SummaryBuilder.Build("late", scenario!, plan, late, Slo.None, TimeSpan.FromSeconds(1));

        summary.GeneratorOverloaded.ShouldBeTrue();
        summary.AchievedRps.ShouldBeLessThan(5);
        summary.OverloadReason.ShouldContain("send lag");
        MarkdownReportWriter.Render(new Report { Header = new ReportHeader { Title = "t", Command = "c" }, Runs = [summary] }).ShouldContain("OVERLOADED");
    }

    [Fact]
    public void Csv_has_one_row_per_request_and_quotes_what_needs_quoting()
    {
        var (_, records) = Sample();

        var lines = CsvResultsWriter.Render(records).TrimEnd('\n').Split('\n');

        lines.Length.ShouldBe(records.Count + 1);
        lines[0].Split(',').ShouldBe(CsvResultsWriter.Columns);
        lines[1].ShouldStartWith("round-robin,0,llm-stream,warmup,0,1,100,1,100,99,200,ok,20,5.5,6,3,3,40,http://127.0.0.1:8935,1,1000,,5;6");
        lines[6].ShouldContain("\"no complete answer, \"\"quoted\"\", within 1 s\"");
    }

    [Fact]
    public void Summary_json_round_trips()
    {
        var (report, records) = Sample();
        var dir = Directory.CreateTempSubdirectory("lt-report-").FullName;
        try
        {
            ReportFiles.Write(dir, report, records);

            var back = ReportFiles.ReadSummary(dir);
            back.Header.Seed.ShouldBe(1);
            back.Header.TimeScale.ShouldBe(0.01);
            back.Runs.Count.ShouldBe(1);
            back.Runs[0].Overall.Latency.ShouldBe(report.Runs[0].Overall.Latency);
            back.Runs[0].ByOrchestrator.Count.ShouldBe(2);
            new[] { "report.md", "report.html", "results.csv", "summary.json" }.ShouldAllBe(f => File.Exists(Path.Combine(dir, f)));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Html_is_self_contained_well_formed_and_has_the_four_charts()
    {
        var (report, _) = Sample();

        var html = HtmlReportWriter.Render(report);

        html.ShouldStartWith("<!DOCTYPE html>");
        html.ShouldNotContain("<script");
        html.ShouldNotContain("src=");
        html.ShouldNotContain("<link");
        Regex.Matches(html, "https?://").Select(m => html.Substring(m.Index, 30)).Where(u => !u.StartsWith("http://www.w3.org/2000/svg", StringComparison.Ordinal) && !u.StartsWith("http://127.0.0.1", StringComparison.Ordinal))
            .ShouldBeEmpty();
        html.ShouldContain("Test &lt;report&gt;");
        Regex.Matches(html, "<svg ").Count.ShouldBe(4);
        foreach (Match svg in Regex.Matches(HtmlReportWriter.Charts(report), "<svg .*?</svg>"))
        {
            Should.NotThrow(() => XElement.Parse(svg.Value));
        }

        html.ShouldContain("Latency percentiles per run");
        html.ShouldContain("Latency over time");
        html.ShouldContain("Share of jobs per orchestrator");
        html.ShouldContain("Success vs timeout");
    }

    [Fact]
    public void Markdown_states_header_definitions_and_per_orchestrator_tables()
    {
        var (report, _) = Sample();

        var md = MarkdownReportWriter.Render(report);

        md.ShouldContain("# Test <report>");
        md.ShouldContain("| time scale | 0.01");
        md.ShouldContain("| seed | 1 |");
        md.ShouldContain("machine: cores");
        md.ShouldContain("### By orchestrator");
        md.ShouldContain("http://127.0.0.1:8936");
        md.ShouldContain("**Percentiles**: nearest-rank");
        md.ShouldContain("**TTFT**");
        md.ShouldContain("- adaptive wins");
        md.ShouldContain("LLM token timing");
    }

    [Fact]
    public void Compare_shows_changes_per_matching_run()
    {
        var (before, _) = Sample();
        var (after, _) = Sample(latencyScale: 2);

        var section = ReportComparer.Compare(after, before);

        var p50 = section.Rows.Single(r => r[1] == "p50 ms");
        p50[5].ShouldBe("worse");
        double.Parse(p50[3], System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(double.Parse(p50[2], System.Globalization.CultureInfo.InvariantCulture));
        section.Rows.Single(r => r[1] == "requests")[5].ShouldBe("≈");
    }

    [Fact]
    public void Nice_scale_covers_the_maximum_with_round_steps()
    {
        SvgCharts.NiceScale(87).ShouldBe((100, 20));
        SvgCharts.NiceScale(0).ShouldBe((1, 0.2));
        SvgCharts.NiceScale(1234).ShouldBe((1250, 250));
    }
}
