using System.CommandLine;
using LivepeerAspire.LoadTests.Load;
using LivepeerAspire.LoadTests.Reports;
using LivepeerAspire.LoadTests.Stats;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>
/// <c>selection</c>: the same topology, workload and seed under each strategy at several loads (fractions of
/// fleet capacity), Poisson arrivals, side by side. Each strategy gets a fresh network when the experiment
/// starts its own, so one strategy's learned state cannot help the next.
/// </summary>
public static class SelectionExperiment
{
    public static readonly IReadOnlyList<string> DefaultStrategies = ["round-robin", "stake-price-latency", "adaptive"];

    public static Command Create(CliContext context)
    {
        var o = new ExperimentOptions();
        var strategies = new Option<string?>("--strategies") { Description = "comma-separated strategies (default round-robin,stake-price-latency,adaptive)" };
        var loads = new Option<string?>("--loads") { Description = "fractions of fleet capacity (default 0.3,0.6,0.9)" };
        var command = new Command("selection", "Compare selection strategies under the same Poisson workload at several loads.");
        o.AddTo(command);
        command.Add(strategies);
        command.Add(loads);
        command.SetAction(async (p, cancel) =>
        {
            using var s = new ExperimentSession(o, p, context, "selection");
            var names = ExperimentOptions.List(p.GetValue(strategies), "--strategies", DefaultStrategies);
            var fractions = ExperimentOptions.Fractions(p.GetValue(loads), "--loads", [0.3, 0.6, 0.9]);
            var scenario = s.Scenario("llm-stream");
            s.RequireCapacitySource(scenario);
            Uri lastGateway = s.ExternalGateway ?? new Uri("http://127.0.0.1/");
            Network? shared = null;
            try
            {
                foreach (var strategy in names)
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
                            var spec = s.Spec(Label(strategy, f), scenario, new PoissonSimulation(rate, s.Duration), network.Gateway, parameters: new Dictionary<string, string>
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

            var (sections, conclusions) = Analyse(s.Runs, names, fractions, s.TimeScale);
            await s.WriteReportAsync($"Selection strategies on {Path.GetFileName(s.TopologyFile ?? "a running network")}: {scenario.Name}", sections, conclusions, lastGateway);
            return 0;
        });
        return command;
    }

    public static string Label(string strategy, double fraction) => $"{strategy} @ {Fmt.Pct(fraction).Replace(" ", "", StringComparison.Ordinal)}";

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
            var ranked = strategies.Select(s => Find(s, f)).OfType<RunSummary>()
                .OrderByDescending(r => r.Overall.SuccessRate >= 0.99)
                .ThenBy(r => double.IsNaN(r.Overall.Latency.P95) ? double.MaxValue : r.Overall.Latency.P95).ToList();
            if (ranked.Count < 2)
            {
                continue;
            }

            var best = ranked[0];
            var runnerUp = ranked[1];
            var close = runnerUp.Overall.SuccessRate >= 0.99 == best.Overall.SuccessRate >= 0.99
                && runnerUp.Overall.Latency.P95 <= best.Overall.Latency.P95 * 1.05;
            var verdict = close
                ? $"no clear winner (p95 within 5 %); {best.Parameters.GetValueOrDefault("strategy")} was lowest"
                : $"{best.Parameters.GetValueOrDefault("strategy")} had the best tail";
            var others = string.Join("; ", ranked.Skip(1).Select(r =>
                $"{r.Parameters.GetValueOrDefault("strategy")} p95 {Fmt.Num(r.Overall.Latency.P95)} ms ({Ratio(r.Overall.Latency.P95, best.Overall.Latency.P95)}), success {Fmt.Pct(r.Overall.SuccessRate)}"));
            conclusions.Add(
                $"At {Fmt.Pct(f)} of fleet capacity, {verdict}: p95 {Fmt.Num(best.Overall.Latency.P95)} ms, " +
                $"success {Fmt.Pct(best.Overall.SuccessRate)}, cost per successful job {Fmt.Wei(best.Overall.CostPerOkJobWei)} wei; {others}.");
        }

        if (runs.Any(r => r.GeneratorOverloaded))
        {
            conclusions.Add("Some runs flag the load generator as overloaded: those runs put less load on the gateway than asked, so read them with care.");
        }

        return (sections, conclusions);
    }

    private static string Ratio(double value, double best) =>
        double.IsFinite(value) && double.IsFinite(best) && best > 0 ? Fmt.Num(value / best) + "× the best" : "n/a";
}
