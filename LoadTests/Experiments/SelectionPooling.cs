using LivepeerAspire.LoadTests.Reports;
using LivepeerAspire.LoadTests.Running;
using LivepeerAspire.LoadTests.Stats;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>
/// The selection report over several arrival sequences (<c>--seeds</c>). One sequence of ~100 jobs is noisy, and
/// the strategies differ by little, so each strategy × load is judged on the requests of every seed's run taken
/// together: the pooled p95 is the nearest-rank p95 of that one sample (not the mean of per-seed p95s) and the
/// pooled cost is all fees ÷ all successful requests — the per-run definitions (<see cref="GroupStats"/>) applied
/// to the union. A seed with more arrivals therefore weighs more. Per-seed figures and the adaptive criterion
/// (<see cref="SelectionCriterion"/>) per seed show whether the pooled verdict holds in each sequence.
/// </summary>
public static class SelectionPooling
{
    public static (List<ReportSection> Sections, List<string> Conclusions) Analyse(
        IReadOnlyList<RunSummary> runs, IReadOnlyList<RequestRecord> records, IReadOnlyList<string> strategies,
        IReadOnlyList<double> fractions, IReadOnlyList<int> seeds, double? timeScale, Slo slo)
    {
        RunSummary? Run(string s, double f, int seed) => runs.FirstOrDefault(r => r.Label == SelectionExperiment.Label(s, f, seed, seeds));
        List<RunSummary> SeedRuns(string s, double f) => seeds.Select(seed => Run(s, f, seed)).OfType<RunSummary>().ToList();

        var pooled = new Dictionary<(string, double), GroupStats>();
        foreach (var s in strategies)
        {
            foreach (var f in fractions)
            {
                if (Pool($"{SelectionExperiment.Label(s, f)} pooled", SeedRuns(s, f), records, slo) is { } g)
                {
                    pooled[(s, f)] = g;
                }
            }
        }

        List<StrategyStats> PooledCells(double f) =>
            strategies.Where(s => pooled.ContainsKey((s, f))).Select(s => new StrategyStats(s, pooled[(s, f)])).ToList();
        List<StrategyStats> SeedCells(double f, int seed) =>
            strategies.Select(s => Run(s, f, seed) is { } r ? new StrategyStats(s, r.Overall) : null).OfType<StrategyStats>().ToList();

        var loadColumns = fractions.Select(f => "load " + Fmt.Pct(f)).ToList();
        ReportSection Grid(string title, Func<GroupStats, string> cell, string note = "") => new(
            title + ", pooled over seeds",
            ["strategy", .. loadColumns],
            strategies.Select(s => (IReadOnlyList<string>)[s, .. fractions.Select(f => pooled.TryGetValue((s, f), out var g) ? cell(g) : "–")]).ToList(),
            note);

        var seedList = string.Join(", ", seeds.Select(x => Fmt.Int(x)));
        var scaleNote = timeScale is { } ts && Math.Abs(ts - 1) > 1e-12 ? Fmt.Inv($" Scaled time (×{ts}); real-world = value ÷ {ts}.") : "";
        var sections = new List<ReportSection>
        {
            Grid("p95 latency (ms) by strategy and load", g => Fmt.Num(g.Latency.P95),
                $"Nearest-rank p95 of every successful request of seeds {seedList} together, from the intended send time — not the mean of the per-seed p95s." + scaleNote),
            Grid("p50 / p99 latency (ms)", g => $"{Fmt.Num(g.Latency.P50)} / {Fmt.Num(g.Latency.P99)}"),
            Grid("success rate (timeouts)", g => $"{Fmt.Pct(g.SuccessRate)} of {Fmt.Int(g.Count)} ({Fmt.Int(g.Timeouts)})", "Successful share of every request of the seeds' runs, of how many, and (timeouts)."),
            Grid("goodput (jobs/s meeting the SLO)", g => Fmt.Num(g.GoodputRps), "Requests meeting the SLO ÷ the seeds' measured seconds. SLO: " + slo.Describe()),
            Grid("cost per successful job (wei)", g => Fmt.Wei(g.CostPerOkJobWei), "Fees of every request of the seeds' runs ÷ their successful requests."),
        };

        if (SelectionCriterion.Applies(strategies))
        {
            var rows = new List<IReadOnlyList<string>> { (IReadOnlyList<string>)["pooled", .. fractions.Select(f => SelectionCriterion.Judge(PooledCells(f)).Text)] };
            rows.AddRange(seeds.Select(seed => (IReadOnlyList<string>)["seed " + Fmt.Int(seed), .. fractions.Select(f => SelectionCriterion.Judge(SeedCells(f, seed)).Text)]));
            sections.Add(new ReportSection(
                "criterion: " + SelectionCriterion.Description, ["sequence", .. loadColumns], rows,
                "\"no\" names the strategy that beat it on each failed bound and by how much, relative to that strategy's figure. Success rates are not part of the criterion; read them above."));
        }

        sections.Add(PerSeedGrid(strategies, fractions, seeds, loadColumns, Run));
        sections.Add(GeneratorGrid(strategies, fractions, seeds, loadColumns, Run));

        var conclusions = new List<string>();
        foreach (var f in fractions)
        {
            if (SelectionExperiment.Conclusion($"At {Fmt.Pct(f)} of fleet capacity, pooled over {seeds.Count} seeds", PooledCells(f)) is not { } c)
            {
                continue;
            }

            var bestPerSeed = seeds
                .Select(seed => (Seed: seed, Best: SelectionExperiment.Rank(SeedCells(f, seed)).FirstOrDefault()?.Strategy))
                .Where(x => x.Best is not null)
                .GroupBy(x => x.Best!)
                .Select(g => $"{g.Key} in {(g.Count() == 1 ? "seed" : "seeds")} {string.Join(", ", g.Select(x => Fmt.Int(x.Seed)))}");
            conclusions.Add(c + $" Best tail per seed: {string.Join("; ", bestPerSeed)}.");
        }

        if (SelectionCriterion.Applies(strategies))
        {
            conclusions.Add(CriterionConclusion(fractions, seeds, PooledCells, SeedCells));
        }

        if (runs.Any(r => r.GeneratorOverloaded))
        {
            conclusions.Add("Some runs flag the load generator as overloaded: those runs put less load on the gateway than asked, so read them with care.");
        }

        return (sections, conclusions);
    }

    /// <summary>
    /// One strategy at one load over its seeds' runs: their measured requests as one sample over their summed
    /// measured seconds, through the same <see cref="GroupStats.Of"/> every run uses. Null without runs.
    /// </summary>
    public static GroupStats? Pool(string name, IReadOnlyList<RunSummary> seedRuns, IReadOnlyList<RequestRecord> records, Slo slo)
    {
        if (seedRuns.Count == 0)
        {
            return null;
        }

        var labels = seedRuns.Select(r => r.Label).ToHashSet(StringComparer.Ordinal);
        var measured = records.Where(r => r.IsMeasured && labels.Contains(r.Run)).ToList();
        return GroupStats.Of(name, measured, seedRuns.Sum(r => r.MeasuredSeconds), measured.Count, slo);
    }

    private static ReportSection PerSeedGrid(
        IReadOnlyList<string> strategies, IReadOnlyList<double> fractions, IReadOnlyList<int> seeds, List<string> loadColumns,
        Func<string, double, int, RunSummary?> run) => new(
        "p95 latency (ms) / cost per successful job (wei) per seed",
        ["strategy", "seed", .. loadColumns],
        strategies.SelectMany(s => seeds.Select(seed => (IReadOnlyList<string>)
        [
            s, Fmt.Int(seed),
            .. fractions.Select(f => run(s, f, seed) is { } r ? $"{Fmt.Num(r.Overall.Latency.P95)} / {Fmt.Wei(r.Overall.CostPerOkJobWei)}" : "–"),
        ])).ToList(),
        "Each seed's run alone, as in a single --seed report; the spread shows how much one arrival sequence moves the figures.");

    private static ReportSection GeneratorGrid(
        IReadOnlyList<string> strategies, IReadOnlyList<double> fractions, IReadOnlyList<int> seeds, List<string> loadColumns,
        Func<string, double, int, RunSummary?> run)
    {
        string Cell(string s, double f)
        {
            var present = seeds.Select(seed => (Seed: seed, Run: run(s, f, seed))).Where(x => x.Run is not null).ToList();
            var overloaded = present.Where(x => x.Run!.GeneratorOverloaded).Select(x => x.Seed).ToList();
            return present.Count == 0 ? "–"
                : overloaded.Count > 0 ? $"OVERLOADED in seed {string.Join(", ", overloaded.Select(x => Fmt.Int(x)))}"
                : $"kept up ({present.Count} of {seeds.Count} seeds)";
        }

        return new ReportSection(
            "generator, per seed",
            ["strategy", .. loadColumns],
            strategies.Select(s => (IReadOnlyList<string>)[s, .. fractions.Select(f => Cell(s, f))]).ToList());
    }

    private static string CriterionConclusion(
        IReadOnlyList<double> fractions, IReadOnlyList<int> seeds,
        Func<double, List<StrategyStats>> pooledCells, Func<double, int, List<StrategyStats>> seedCells)
    {
        var perLoad = fractions.Select(f =>
        {
            var pooled = SelectionCriterion.Judge(pooledCells(f));
            var met = seeds.Count(seed => SelectionCriterion.Judge(seedCells(f, seed)).Met == true);
            var verdict = pooled.Met switch
            {
                true => "met pooled",
                false => $"not met pooled ({pooled.Reason})",
                null => "not decidable pooled",
            };
            return $"at {Fmt.Pct(f)} {verdict}, and in {met} of {seeds.Count} seeds";
        });
        return $"Criterion ({SelectionCriterion.Description}): {string.Join("; ", perLoad)}.";
    }
}
