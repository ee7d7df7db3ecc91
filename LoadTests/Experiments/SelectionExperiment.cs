using System.CommandLine;
using LivepeerAspire.LoadTests.Load;
using LivepeerAspire.LoadTests.Reports;
using LivepeerAspire.LoadTests.Running;
using LivepeerAspire.LoadTests.Stats;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>
/// <c>selection</c>: the same topology, workload and seed under each strategy at several loads (fractions of
/// fleet capacity), Poisson arrivals, side by side. Each strategy gets a fresh network when the experiment
/// starts its own, so one strategy's learned state cannot help the next. With <c>--seeds</c> the whole grid runs
/// once per arrival sequence and the report pools them (<see cref="SelectionPooling"/>).
/// </summary>
public static class SelectionExperiment
{
    public static readonly IReadOnlyList<string> DefaultStrategies = ["round-robin", "stake-price-latency", "adaptive"];

    public static Command Create(CliContext context)
    {
        var o = new ExperimentOptions();
        var strategies = new Option<string?>("--strategies") { Description = "comma-separated strategies (default round-robin,stake-price-latency,adaptive)" };
        var loads = new Option<string?>("--loads") { Description = "fractions of fleet capacity (default 0.3,0.6,0.9)" };
        var seedsOption = new Option<string?>("--seeds") { Description = "several arrival sequences, e.g. 42,7,11: every strategy × load runs once per seed (fresh networks each) and the report pools them; not with --seed" };
        var command = new Command("selection", "Compare selection strategies under the same Poisson workload at several loads.");
        o.AddTo(command);
        command.Add(strategies);
        command.Add(loads);
        command.Add(seedsOption);
        command.SetAction(async (p, cancel) =>
        {
            var seeds = ResolveSeeds(p, o.Common.Seed, seedsOption);
            using var s = new ExperimentSession(o, p, context, "selection");
            s.UseSeeds(seeds);
            var names = ExperimentOptions.List(p.GetValue(strategies), "--strategies", DefaultStrategies);
            var fractions = ExperimentOptions.Fractions(p.GetValue(loads), "--loads", [0.3, 0.6, 0.9]);
            var scenario = s.Scenario("llm-stream");
            s.RequireCapacitySource(scenario);
            Uri lastGateway = s.ExternalGateway ?? new Uri("http://127.0.0.1/");
            Network? shared = null;
            try
            {
                foreach (var (seed, strategy) in seeds.SelectMany(seed => names.Select(strategy => (seed, strategy))))
                {
                    var network = shared ?? await s.AcquireNetworkAsync(null, cancel, strategy);
                    if (!network.Owned)
                    {
                        shared = network;
                    }

                    try
                    {
                        lastGateway = network.Gateway;
                        await s.Admin.SetStrategyAsync(network.Gateway, strategy, cancel);
                        var capacity = await s.CapacityAsync(scenario, network, cancel);
                        foreach (var f in fractions)
                        {
                            var rate = capacity * f;
                            var spec = s.Spec(Label(strategy, f, seed, seeds), scenario, new PoissonSimulation(rate, s.Duration), network.Gateway, seed: seed, parameters: new Dictionary<string, string>
                            {
                                ["strategy"] = strategy,
                                ["load"] = Fmt.Pct(f) + " of fleet capacity",
                                ["fleet capacity"] = Fmt.Num(capacity) + " jobs/s (scaled time)",
                            });
                            await s.RunAsync(spec, network, null, cancel);
                        }
                    }
                    finally
                    {
                        if (network.Owned)
                        {
                            await network.DisposeAsync();
                        }
                    }
                }
            }
            finally
            {
                if (shared is not null)
                {
                    await shared.DisposeAsync();
                }
            }

            var (sections, conclusions) = Analyse(s.Runs, s.Records, names, fractions, seeds, s.TimeScale, o.Common.Slo(p));
            var over = seeds.Count > 1 ? $", {seeds.Count} arrival sequences pooled" : "";
            await s.WriteReportAsync($"Selection strategies on {Path.GetFileName(s.TopologyFile ?? "a running network")}: {scenario.Name}{over}", sections, conclusions, lastGateway);
            return 0;
        });
        return command;
    }

    public static string Label(string strategy, double fraction) => $"{strategy} @ {Fmt.Pct(fraction).Replace(" ", "", StringComparison.Ordinal)}";

    /// <summary>The run label: with several seeds the seed joins it (<c>adaptive @ 30% seed 7</c>); with one, the label above.</summary>
    public static string Label(string strategy, double fraction, int seed, IReadOnlyList<int> seeds) =>
        seeds.Count > 1 ? $"{Label(strategy, fraction)} seed {Fmt.Int(seed)}" : Label(strategy, fraction);

    /// <summary><c>--seeds</c>, or the one <c>--seed</c> (default 42); both at once are refused.</summary>
    public static IReadOnlyList<int> ResolveSeeds(ParseResult p, Option<int> seed, Option<string?> seeds)
    {
        if (p.GetValue(seeds) is not { } text)
        {
            return [p.GetValue(seed)];
        }

        if (p.GetResult(seed) is { Implicit: false })
        {
            throw new UsageException("give either --seed N (one arrival sequence) or --seeds A,B,C (several, pooled), not both");
        }

        return ExperimentOptions.Seeds(text, "--seeds");
    }

    /// <summary>One seed: the strategy × load tables of its runs, exactly as before <c>--seeds</c> existed; several: pooled ones.</summary>
    public static (List<ReportSection> Sections, List<string> Conclusions) Analyse(
        IReadOnlyList<RunSummary> runs, IReadOnlyList<RequestRecord> records, IReadOnlyList<string> strategies, IReadOnlyList<double> fractions,
        IReadOnlyList<int> seeds, double? timeScale, Slo slo) =>
        seeds.Count > 1
            ? SelectionPooling.Analyse(runs, records, strategies, fractions, seeds, timeScale, slo)
            : Analyse(runs, strategies, fractions, timeScale);

    /// <summary>Strategy × load tables and the conclusions in words.</summary>
    public static (List<ReportSection> Sections, List<string> Conclusions) Analyse(
        IReadOnlyList<RunSummary> runs, IReadOnlyList<string> strategies, IReadOnlyList<double> fractions, double? timeScale)
    {
        RunSummary? Find(string s, double f) => runs.FirstOrDefault(r => r.Label == Label(s, f));

        ReportSection Grid(string title, Func<RunSummary, string> cell, string note = "") => new(
            title,
            ["strategy", .. fractions.Select(f => "load " + Fmt.Pct(f))],
            strategies.Select(s => (IReadOnlyList<string>)[s, .. fractions.Select(f => Find(s, f) is { } r ? cell(r) : "–")]).ToList(),
            note);

        var scaleNote = timeScale is { } ts && Math.Abs(ts - 1) > 1e-12 ? Fmt.Inv($" Scaled time (×{ts}); real-world = value ÷ {ts}.") : "";
        var sections = new List<ReportSection>
        {
            Grid("p95 latency (ms) by strategy and load", r => Fmt.Num(r.Overall.Latency.P95), "Successful requests, from the intended send time." + scaleNote),
            Grid("p50 / p99 latency (ms)", r => $"{Fmt.Num(r.Overall.Latency.P50)} / {Fmt.Num(r.Overall.Latency.P99)}"),
            Grid("success rate (timeouts)", r => $"{Fmt.Pct(r.Overall.SuccessRate)} ({r.Overall.Timeouts})"),
            Grid("goodput (jobs/s meeting the SLO)", r => Fmt.Num(r.Overall.GoodputRps), runs.FirstOrDefault()?.Slo is { } slo ? "SLO: " + slo : ""),
            Grid("cost per successful job (wei)", r => Fmt.Wei(r.Overall.CostPerOkJobWei)),
            Grid("generator", r => r.GeneratorOverloaded ? "OVERLOADED" : Fmt.Inv($"kept up ({Fmt.Num(r.AchievedRps)}/s)")),
        };

        var conclusions = new List<string>();
        foreach (var f in fractions)
        {
            var cells = strategies.Select(s => Find(s, f)).OfType<RunSummary>()
                .Select(r => new StrategyStats(r.Parameters.GetValueOrDefault("strategy") ?? "", r.Overall)).ToList();
            if (Conclusion($"At {Fmt.Pct(f)} of fleet capacity", cells) is { } c)
            {
                conclusions.Add(c);
            }
        }

        if (runs.Any(r => r.GeneratorOverloaded))
        {
            conclusions.Add("Some runs flag the load generator as overloaded: those runs put less load on the gateway than asked, so read them with care.");
        }

        return (sections, conclusions);
    }

    /// <summary>Best first: strategies with at least 99 % success before the others, then by p95.</summary>
    public static List<StrategyStats> Rank(IEnumerable<StrategyStats> cells) => cells
        .OrderByDescending(c => c.Stats.SuccessRate >= 0.99)
        .ThenBy(c => double.IsNaN(c.Stats.Latency.P95) ? double.MaxValue : c.Stats.Latency.P95).ToList();

    /// <summary>The best tail at one load in words (null with fewer than two strategies); <paramref name="where"/> opens the sentence.</summary>
    public static string? Conclusion(string where, IEnumerable<StrategyStats> cells)
    {
        var ranked = Rank(cells);
        if (ranked.Count < 2)
        {
            return null;
        }

        var best = ranked[0].Stats;
        var runnerUp = ranked[1].Stats;
        var close = runnerUp.SuccessRate >= 0.99 == best.SuccessRate >= 0.99 && runnerUp.Latency.P95 <= best.Latency.P95 * 1.05;
        var verdict = close
            ? $"no clear winner (p95 within 5 %); {ranked[0].Strategy} was lowest"
            : $"{ranked[0].Strategy} had the best tail";
        var others = string.Join("; ", ranked.Skip(1).Select(r =>
            $"{r.Strategy} p95 {Fmt.Num(r.Stats.Latency.P95)} ms ({Ratio(r.Stats.Latency.P95, best.Latency.P95)}), success {Fmt.Pct(r.Stats.SuccessRate)}"));
        return $"{where}, {verdict}: p95 {Fmt.Num(best.Latency.P95)} ms, " +
            $"success {Fmt.Pct(best.SuccessRate)}, cost per successful job {Fmt.Wei(best.CostPerOkJobWei)} wei; {others}.";
    }

    private static string Ratio(double value, double best) =>
        double.IsFinite(value) && double.IsFinite(best) && best > 0 ? Fmt.Num(value / best) + "× the best" : "n/a";
}
