using System.CommandLine;
using LivepeerAspire.LoadTests.Load;
using LivepeerAspire.LoadTests.Reports;
using LivepeerAspire.LoadTests.Stats;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>
/// <c>deadline</c>: the community-reported case. Image-to-video on RTX 4090s (~50 s) and RTX 4060 8GB cards
/// (~517 s) behind one gateway, for an application that wants each video within 30 s of real time; which
/// strategy delivers how many videos on time (goodput), and where the late ones went.
/// </summary>
public static class DeadlineExperiment
{
    public static Command Create(CliContext context)
    {
        var o = new ExperimentOptions();
        var strategies = new Option<string?>("--strategies") { Description = "comma-separated strategies (default round-robin,stake-price-latency,adaptive)" };
        var load = new Option<double>("--load") { Description = "fraction of fleet capacity", DefaultValueFactory = _ => 0.3 };
        var sloSeconds = new Option<double>("--slo-seconds") { Description = "the application's deadline in real-world seconds (scaled by the time scale)", DefaultValueFactory = _ => 30 };
        var header = new Option<string>("--deadline-header") { Description = "send Livepeer-Deadline-Ms with the deadline: off | on | both", DefaultValueFactory = _ => "both" };
        var setting = new Option<string?>("--gateway-setting") { Description = "optional gateway setting name:KEY=VALUE;… (e.g. a 30 s image-to-video deadline)" };
        var command = new Command("deadline", "Image-to-video on RTX 4090s vs RTX 4060s with a 30 s deadline: goodput per strategy.");
        o.AddTo(command);
        command.Add(strategies);
        command.Add(load);
        command.Add(sloSeconds);
        command.Add(setting);
        command.Add(header);
        command.SetAction(async (p, cancel) =>
        {
            using var s = new ExperimentSession(o, p, context, "deadline");
            var names = ExperimentOptions.List(p.GetValue(strategies), "--strategies", SelectionExperiment.DefaultStrategies);
            var fraction = p.GetValue(load);
            if (!(fraction > 0) || fraction > 2)
            {
                throw new UsageException("bad --load: use a fraction of fleet capacity in (0, 2]");
            }

            var slo = p.GetValue(sloSeconds);
            if (!(slo > 0) || !double.IsFinite(slo))
            {
                throw new UsageException("bad --slo-seconds: use a positive number of seconds");
            }

            bool[] headerModes = p.GetValue(header) switch
            {
                "off" => [false],
                "on" => [true],
                "both" => [false, true],
                var other => throw new UsageException($"bad --deadline-header '{other}': use off, on or both"),
            };
            var gatewaySetting = p.GetValue(setting) is { } gs ? GatewaySetting.Parse(gs, "--gateway-setting") : GatewaySetting.Default;
            var scenario = s.Scenario("image-to-video");
            s.RequireCapacitySource(scenario);
            var scale = s.TimeScale ?? 1;
            var sloMs = slo * 1000 * scale;
            var lastGateway = s.ExternalGateway ?? new Uri("http://127.0.0.1/");
            Network? shared = null;
            try
            {
                foreach (var strategy in names)
                {
                    var network = shared ?? await s.AcquireNetworkAsync(gatewaySetting.Environment, cancel, strategy);
                    if (!network.Owned)
                    {
                        shared = network;
                    }

                    try
                    {
                        lastGateway = network.Gateway;
                        await s.Admin.SetStrategyAsync(network.Gateway, strategy, cancel);
                        var capacity = await s.CapacityAsync(scenario, network, cancel);
                        foreach (var withHeader in headerModes)
                        {
                            var spec = s.Spec(withHeader ? strategy + " + deadline header" : strategy, scenario, new PoissonSimulation(capacity * fraction, s.Duration), network.Gateway, new Slo(LatencyMs: sloMs), new Dictionary<string, string>
                            {
                                ["strategy"] = strategy,
                                ["load"] = Fmt.Pct(fraction) + " of fleet capacity",
                                ["deadline"] = Fmt.Inv($"{slo} s real-world = {Fmt.Num(sloMs)} ms scaled"),
                                ["client tells the gateway"] = withHeader ? Fmt.Inv($"Livepeer-Deadline-Ms: {Math.Ceiling(sloMs)}") : "nothing (gateway default deadline)",
                                ["gateway setting"] = $"{gatewaySetting.Name} ({gatewaySetting.Describe()})",
                            }) with
                            {
                                Headers = withHeader ? new Dictionary<string, string> { ["Livepeer-Deadline-Ms"] = Math.Ceiling(sloMs).ToString(System.Globalization.CultureInfo.InvariantCulture) } : new Dictionary<string, string>(),
                            };
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

            var (sections, conclusions) = Analyse(s.Runs, slo, sloMs);
            await s.WriteReportAsync($"Deadline: image-to-video within {slo:0.#} s on RTX 4090s vs RTX 4060s", sections, conclusions, lastGateway);
            return 0;
        });
        return command;
    }

    public static (List<ReportSection> Sections, List<string> Conclusions) Analyse(IReadOnlyList<RunSummary> runs, double sloSeconds, double sloMs)
    {
        var rows = runs.Select(r => (IReadOnlyList<string>)
        [
            r.Label, Fmt.Int(r.Overall.Count), Fmt.Pct(r.Overall.Count == 0 ? double.NaN : (double)r.Overall.Good / r.Overall.Count), Fmt.Num(r.Overall.GoodputRps),
            Fmt.Pct(r.Overall.SuccessRate), Fmt.Num(r.Overall.Latency.P50), Fmt.Num(r.Overall.Latency.P95),
            string.Join(", ", r.ByOrchestrator.Select(g => $"{g.Name} {Fmt.Pct(g.Share)} (on time {Fmt.Pct(g.Count == 0 ? double.NaN : (double)g.Good / g.Count)})")),
        ]).ToList();
        var section = new ReportSection(
            "On time: jobs answered within the deadline",
            ["strategy", "jobs", "on time", "goodput jobs/s", "success", "p50 ms", "p95 ms", "where jobs went (share, on time there)"],
            rows,
            Fmt.Inv($"Deadline {sloSeconds} s real-world = {Fmt.Num(sloMs)} ms in scaled time. An RTX 4060 8GB needs ~517 s per video, so every job it gets is late."));
        var conclusions = runs.OrderByDescending(r => r.Overall.Good).Select(r =>
            $"{r.Label}: {Fmt.Pct(r.Overall.Count == 0 ? double.NaN : (double)r.Overall.Good / r.Overall.Count)} of videos on time ({r.Overall.Good} of {r.Overall.Count}), p95 {Fmt.Num(r.Overall.Latency.P95)} ms scaled.").ToList();
        return ([section], conclusions);
    }
}
