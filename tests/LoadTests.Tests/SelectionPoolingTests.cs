using LivepeerAspire.LoadTests.Experiments;
using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Reports;
using LivepeerAspire.LoadTests.Running;
using LivepeerAspire.LoadTests.Stats;

namespace LivepeerAspire.LoadTests.Tests;

public sealed class SelectionPoolingTests
{
    /// <summary>Measured requests of one run, labelled as the runner labels them; each pays <paramref name="feeWei"/>.</summary>
    private static List<RequestRecord> Requests(string run, IEnumerable<double> okLatencies, int feeWei = 0, int timeouts = 0) =>
        okLatencies.Select((l, i) => new RequestRecord { Run = run, Index = i, Job = "image-to-video", Phase = "measure", Outcome = Outcomes.Ok, IntendedMs = i, SentMs = i, EndMs = i + l, FeeWei = feeWei.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            .Concat(Enumerable.Range(0, timeouts).Select(i => new RequestRecord { Run = run, Index = 10_000 + i, Job = "image-to-video", Phase = "measure", Outcome = Outcomes.Timeout, EndMs = 1, FeeWei = feeWei.ToString(System.Globalization.CultureInfo.InvariantCulture) }))
            .ToList();

    private static RunSummary Summary(string label, string strategy, int seed, IReadOnlyList<RequestRecord> records)
    {
        ScenarioCatalog.TryResolve("image-to-video", out var scenario, out _);
        var plan = JobPlan.Create(scenario!, new Load.PoissonSimulation(1, TimeSpan.FromSeconds(10)), TimeSpan.Zero, 1000, seed);
        return SummaryBuilder.Build(label, scenario!, plan, records, Slo.None, TimeSpan.FromSeconds(1), new Dictionary<string, string> { ["strategy"] = strategy });
    }

    /// <summary>Runs and records of strategy × seed at one load, labelled as the experiment labels them.</summary>
    private sealed class Grid(IReadOnlyList<int> seeds, double load = 0.5)
    {
        public List<RunSummary> Runs { get; } = [];
        public List<RequestRecord> Records { get; } = [];

        public Grid Add(string strategy, int seed, List<RequestRecord> requests)
        {
            var label = SelectionExperiment.Label(strategy, load, seed, seeds);
            var labelled = requests.Select(r => r with { Run = label }).ToList();
            Runs.Add(Summary(label, strategy, seed, labelled));
            Records.AddRange(labelled);
            return this;
        }
    }

    private static GroupStats Stats(IEnumerable<double> okLatencies, int feeWei) => GroupStats.Of("x", Requests("x", okLatencies, feeWei), 10, 0, Slo.None);

    [Fact]
    public void Pooled_p95_is_the_nearest_rank_of_every_request_not_the_mean_of_the_per_seed_p95s()
    {
        var grid = new Grid([1, 2])
            .Add("adaptive", 1, Requests("", Enumerable.Repeat(100.0, 100)))
            .Add("adaptive", 2, [.. Requests("", [.. Enumerable.Repeat(200.0, 5), .. Enumerable.Repeat(1000.0, 5)]),
                new RequestRecord { Job = "image-to-video", Phase = "warmup", Outcome = Outcomes.Ok, EndMs = 5000 }])
            .Add("round-robin", 1, Requests("", Enumerable.Repeat(9000.0, 50)));

        var pooled = SelectionPooling.Pool("adaptive pooled", grid.Runs.Where(r => r.Parameters["strategy"] == "adaptive").ToList(), grid.Records, Slo.None)!;

        grid.Runs.Select(r => r.Overall.Latency.P95).ShouldBe(new double[] { 100, 1000, 9000 }); // mean of adaptive's per-seed p95s: 550
        // 110 requests: 100 × 100 ms, 5 × 200 ms, 5 × 1000 ms; rank ceil(0.95 · 110) = 105 is a 200 ms one. The warm-up
        // request (5000 ms) and round-robin's requests stay out; either would move the 105th value.
        pooled.Count.ShouldBe(110);
        pooled.Latency.P95.ShouldBe(200);
        pooled.Latency.P99.ShouldBe(1000);

        var (sections, _) = SelectionPooling.Analyse(grid.Runs, grid.Records, ["round-robin", "adaptive"], [0.5], [1, 2], 0.01, Slo.None);
        var p95 = sections.Single(s => s.Title == "p95 latency (ms) by strategy and load, pooled over seeds");
        p95.Rows.Single(r => r[0] == "adaptive").ShouldBe(["adaptive", "200"]);
        p95.Rows.Single(r => r[0] == "round-robin").ShouldBe(["round-robin", "9000"]);
    }

    [Fact]
    public void Pooled_cost_is_all_fees_over_all_successful_requests()
    {
        var grid = new Grid([1, 2])
            .Add("adaptive", 1, Requests("", Enumerable.Repeat(100.0, 10), feeWei: 10))
            .Add("adaptive", 2, Requests("", Enumerable.Repeat(100.0, 5), feeWei: 30, timeouts: 5));

        var pooled = SelectionPooling.Pool("adaptive pooled", grid.Runs, grid.Records, Slo.None)!;

        grid.Runs.Select(r => r.Overall.CostPerOkJobWei).ShouldBe(new double[] { 10, 60 }); // their mean would be 35
        pooled.CostPerOkJobWei.ShouldBe((10 * 10 + 10 * 30) / 15.0, 1e-9); // 400 wei over 15 successful jobs
        pooled.SuccessRate.ShouldBe(0.75);
        pooled.Timeouts.ShouldBe(5);
        pooled.Rps.ShouldBe(20 / 20.0); // 20 requests over the two runs' 10 s each
    }

    [Fact]
    public void Criterion_says_yes_only_for_a_lower_p95_at_no_higher_cost_and_names_the_rival()
    {
        var rr = new StrategyStats("round-robin", Stats(Enumerable.Repeat(100.0, 20), 1100));
        var spl = new StrategyStats("stake-price-latency", Stats(Enumerable.Repeat(150.0, 20), 1000));

        var slowerAndDearer = SelectionCriterion.Judge([rr, spl, new("adaptive", Stats(Enumerable.Repeat(104.0, 20), 1009))]);
        slowerAndDearer.Met.ShouldBe(false);
        slowerAndDearer.Text.ShouldBe("no: p95 4 % above round-robin; cost 0.9 % above stake-price-latency");

        var dearer = SelectionCriterion.Judge([rr, spl, new("adaptive", Stats(Enumerable.Repeat(90.0, 20), 1009))]);
        dearer.Text.ShouldBe("no: cost 0.9 % above stake-price-latency");

        var tie = SelectionCriterion.Judge([rr, spl, new("adaptive", Stats(Enumerable.Repeat(100.0, 20), 900))]);
        tie.Text.ShouldBe("no: p95 equal to round-robin");

        var better = SelectionCriterion.Judge([rr, spl, new("adaptive", Stats(Enumerable.Repeat(90.0, 20), 1000))]);
        better.Met.ShouldBe(true);
        better.Text.ShouldBe("yes: p95 10 % below round-robin, cost equal to stake-price-latency");

        SelectionCriterion.Judge([rr, spl]).Met.ShouldBeNull();
        SelectionCriterion.Judge([rr, new("adaptive", Stats([], 0))]).Text.ShouldBe("no: no successful adaptive requests");
    }

    [Fact]
    public void Several_seeds_give_pooled_per_seed_and_criterion_grids_and_say_where_seeds_disagree()
    {
        int[] seeds = [1, 2];
        var grid = new Grid(seeds)
            .Add("round-robin", 1, Requests("", Enumerable.Repeat(200.0, 40), feeWei: 10))
            .Add("adaptive", 1, Requests("", Enumerable.Repeat(100.0, 40), feeWei: 10))
            .Add("round-robin", 2, Requests("", Enumerable.Repeat(250.0, 40), feeWei: 10))
            .Add("adaptive", 2, Requests("", Enumerable.Repeat(300.0, 2), feeWei: 10));

        var (sections, conclusions) = SelectionExperiment.Analyse(grid.Runs, grid.Records, ["round-robin", "adaptive"], [0.5], seeds, 0.01, Slo.None);

        grid.Runs.Select(r => r.Label).ShouldBe(["round-robin @ 50% seed 1", "adaptive @ 50% seed 1", "round-robin @ 50% seed 2", "adaptive @ 50% seed 2"]);
        var perSeed = sections.Single(s => s.Title.EndsWith("per seed", StringComparison.Ordinal) && s.Title.StartsWith("p95", StringComparison.Ordinal));
        perSeed.Rows.ShouldContain(r => r.SequenceEqual(new[] { "adaptive", "2", "300 / 10" }));
        var criterion = sections.Single(s => s.Title.StartsWith("criterion", StringComparison.Ordinal));
        // Pooled, adaptive's 42 requests have p95 100 ms (rank 40 is a 100 ms one) against round-robin's 250 ms.
        criterion.Rows.Select(r => r[0]).ShouldBe(["pooled", "seed 1", "seed 2"]);
        criterion.Rows[0][1].ShouldBe("yes: p95 60 % below round-robin, cost equal to round-robin");
        criterion.Rows[1][1].ShouldStartWith("yes: p95 50 % below");
        criterion.Rows[2][1].ShouldBe("no: p95 20 % above round-robin");
        conclusions[0].ShouldStartWith("At 50 % of fleet capacity, pooled over 2 seeds, adaptive had the best tail: p95 100 ms");
        conclusions[0].ShouldEndWith("Best tail per seed: adaptive in seed 1; round-robin in seed 2.");
        conclusions[1].ShouldContain("at 50 % met pooled, and in 1 of 2 seeds");
    }

    [Fact]
    public void One_seed_keeps_the_single_run_labels_tables_and_conclusions()
    {
        SelectionExperiment.Label("adaptive", 0.3, 42, [42]).ShouldBe("adaptive @ 30%");
        SelectionExperiment.Label("adaptive", 0.3, 7, [42, 7]).ShouldBe("adaptive @ 30% seed 7");
        var grid = new Grid([42], 0.3)
            .Add("round-robin", 42, Requests("", Enumerable.Repeat(400.0, 20), feeWei: 5))
            .Add("adaptive", 42, Requests("", Enumerable.Repeat(100.0, 20), feeWei: 5));

        var viaSeeds = SelectionExperiment.Analyse(grid.Runs, grid.Records, ["round-robin", "adaptive"], [0.3], [42], 0.01, Slo.None);
        var single = SelectionExperiment.Analyse(grid.Runs, ["round-robin", "adaptive"], [0.3], 0.01);

        grid.Runs.Select(r => r.Label).ShouldBe(["round-robin @ 30%", "adaptive @ 30%"]);
        viaSeeds.Sections.Select(s => s.Title).ShouldBe(single.Sections.Select(s => s.Title));
        viaSeeds.Sections.SelectMany(s => s.Rows.SelectMany(r => r)).ShouldBe(single.Sections.SelectMany(s => s.Rows.SelectMany(r => r)));
        viaSeeds.Sections.ShouldNotContain(s => s.Title.Contains("pooled", StringComparison.Ordinal));
        viaSeeds.Conclusions.ShouldBe(single.Conclusions);
        viaSeeds.Conclusions[0].ShouldStartWith("At 30 % of fleet capacity, adaptive had the best tail: p95 100 ms");
    }

    [Fact]
    public void Report_header_names_every_seed_only_when_there_are_several()
    {
        var one = new Report { Header = new ReportHeader { Title = "t", Command = "loadtests selection", Seed = 42 }, Runs = [] };
        var several = one with { Header = one.Header with { Seeds = [42, 7] } };

        System.Text.Json.JsonSerializer.Serialize(one, ReportFiles.JsonOptions).ShouldNotContain("\"seeds\"");
        MarkdownReportWriter.Render(one).ShouldContain("| seed | 42 |");
        var json = System.Text.Json.JsonSerializer.Serialize(several, ReportFiles.JsonOptions);
        System.Text.Json.JsonSerializer.Deserialize<Report>(json, ReportFiles.JsonOptions)!.Header.Seeds.ShouldBe([42, 7]);
        MarkdownReportWriter.Render(several).ShouldContain("| seeds | 42, 7 (one arrival sequence each");
    }

    [Theory]
    [InlineData("42,7,11", new[] { 42, 7, 11 })]
    [InlineData(" 3 , -5 ", new[] { 3, -5 })]
    [InlineData("9", new[] { 9 })]
    public void Seeds_parse_distinct_integers(string text, int[] expected) =>
        ExperimentOptions.Seeds(text, "--seeds").ShouldBe(expected);

    [Theory]
    [InlineData("4,x", "bad --seeds '4,x': 'x' is not an integer")]
    [InlineData("4,7,4", "seed 4 is given twice")]
    [InlineData("", "bad --seeds '': empty value")]
    [InlineData("4,,7", "bad --seeds '4,,7': empty value")]
    [InlineData("1.5", "'1.5' is not an integer")]
    [InlineData("99999999999", "is not an integer")]
    public void Seeds_refuse_bad_values_naming_the_option(string text, string message) =>
        Should.Throw<UsageException>(() => ExperimentOptions.Seeds(text, "--seeds")).Message.ShouldContain(message);
}
