using System.CommandLine;
using System.Globalization;
using System.Numerics;
using LivepeerAspire.LoadTests.Load;
using LivepeerAspire.LoadTests.Reports;
using LivepeerAspire.LoadTests.Running;
using LivepeerAspire.LoadTests.Stats;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>What one run cost beyond the client-visible figures, from the gateway's /metrics and the simulator's counters.</summary>
public sealed record ProgressCost(
    string Label, string Mode, string Strategy, int Jobs, int Ok, int OnTime, long Abandoned, double DetectSecondsScaled,
    double? WastedGpuSeconds, BigInteger AbandonedWei, BigInteger OkFeesWei, long ChunksPaid);

/// <summary>
/// <c>progress</c>: request/response against pay per progress (issue 17) on the image-to-video fleet of RTX 4090s
/// (~50 s) and RTX 4060 8GB cards (~517 s), with a client deadline: on-time share, p95, GPU-seconds and wei spent on
/// abandoned work, how long it takes to give a slow GPU up, and cost per successful job. Each mode starts its own
/// network (the gateway setting differs); strategies are switched at run time.
/// </summary>
public static class ProgressExperiment
{
    public static Command Create(CliContext context)
    {
        var o = new ExperimentOptions();
        var strategies = new Option<string?>("--strategies") { Description = "comma-separated strategies (default adaptive,round-robin)" };
        var load = new Option<double>("--load") { Description = "fraction of fleet capacity", DefaultValueFactory = _ => 0.3 };
        var sloSeconds = new Option<double>("--slo-seconds") { Description = "the client's deadline in real-world seconds, sent as Livepeer-Deadline-Ms (scaled)", DefaultValueFactory = _ => 60 };
        var chunkSteps = new Option<int>("--chunk-steps") { Description = "Progress:ChunkSteps for the pay-per-progress runs (the gateway default)", DefaultValueFactory = _ => 5 };
        var modes = new Option<string?>("--modes") { Description = "request-response,progress (default both)" };
        var margin = new Option<double>("--abandon-margin")
        {
            Description = "Progress:AbandonMargin for the pay-per-progress runs: scaled time magnifies scheduling jitter (a 5-step chunk of a 4090 is ~100 ms of wall time at time scale 0.02), so the default is wider than the gateway's 0.2",
            DefaultValueFactory = _ => 0.5,
        };
        var command = new Command("progress", "Request/response against pay per progress on RTX 4090s vs RTX 4060s with a client deadline.");
        o.AddTo(command);
        command.Add(strategies);
        command.Add(load);
        command.Add(sloSeconds);
        command.Add(chunkSteps);
        command.Add(modes);
        command.Add(margin);
        command.SetAction(async (p, cancel) =>
        {
            using var s = new ExperimentSession(o, p, context, "progress");
            var names = ExperimentOptions.List(p.GetValue(strategies), "--strategies", ["adaptive", "round-robin"]);
            var modeNames = ExperimentOptions.List(p.GetValue(modes), "--modes", ["request-response", "progress"]);
            foreach (var m in modeNames.Where(m => m is not ("request-response" or "progress")))
            {
                throw new UsageException($"unknown mode '{m}'; use request-response and/or progress");
            }

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

            var steps = p.GetValue(chunkSteps);
            if (steps is < 1 or > 1000)
            {
                throw new UsageException("bad --chunk-steps: use 1 to 1000");
            }

            if (s.ExternalGateway is not null && modeNames.Count > 1)
            {
                throw new UsageException("two modes need a network each: give --topology instead of --gateway, or one --modes");
            }

            var abandonMargin = p.GetValue(margin);
            if (!(abandonMargin >= 0) || !double.IsFinite(abandonMargin))
            {
                throw new UsageException("bad --abandon-margin: use 0 or more");
            }

            var scenario = s.Scenario("image-to-video");
            s.RequireCapacitySource(scenario);
            var scale = s.TimeScale ?? 1;
            var sloMs = slo * 1000 * scale;
            var costs = new List<ProgressCost>();
            var lastGateway = s.ExternalGateway ?? new Uri("http://127.0.0.1/");
            foreach (var mode in modeNames)
            {
                var environment = mode == "progress"
                    ? new Dictionary<string, string>
                    {
                        ["Progress__Enabled"] = "true",
                        ["Progress__ChunkSteps"] = steps.ToString(CultureInfo.InvariantCulture),
                        ["Progress__AbandonMargin"] = abandonMargin.ToString(CultureInfo.InvariantCulture),
                    }
                    : new Dictionary<string, string>();
                await using var network = await s.AcquireNetworkAsync(environment, cancel, names[0]);
                lastGateway = network.Gateway;
                var capacity = await s.CapacityAsync(scenario, network, cancel);
                foreach (var strategy in names)
                {
                    await s.Admin.SetStrategyAsync(network.Gateway, strategy, cancel);
                    var label = $"{mode} / {strategy}";
                    var before = await MetricsAsync(s, network, cancel);
                    var spec = s.Spec(label, scenario, new PoissonSimulation(capacity * fraction, s.Duration), network.Gateway, new Slo(LatencyMs: sloMs), new Dictionary<string, string>
                    {
                        ["mode"] = mode == "progress" ? Fmt.Inv($"pay per progress (Progress:Enabled, Progress:ChunkSteps={steps}, Progress:AbandonMargin={abandonMargin})") : "request/response (gateway defaults)",
                        ["strategy"] = strategy,
                        ["load"] = Fmt.Pct(fraction) + " of fleet capacity",
                        ["client deadline"] = Fmt.Inv($"{slo} s real-world = Livepeer-Deadline-Ms {Math.Ceiling(sloMs)}"),
                    }) with
                    {
                        Headers = new Dictionary<string, string> { ["Livepeer-Deadline-Ms"] = Math.Ceiling(sloMs).ToString(CultureInfo.InvariantCulture) },
                    };
                    var (_, records) = await s.RunAsync(spec, network, null, cancel);
                    var after = await MetricsAsync(s, network, cancel);
                    costs.Add(Cost(label, mode, strategy, records, sloMs, before, after));
                }
            }

            var (sections, conclusions) = Analyse(s.Runs, costs, scale, slo);
            await s.WriteReportAsync($"Pay per progress: image-to-video within {slo:0.#} s on RTX 4090s vs RTX 4060s", sections, conclusions, lastGateway);
            return 0;
        });
        return command;
    }

    internal sealed record Snapshot(Dictionary<string, double> Gateway, double? AbandonedGpuSeconds);

    private static async Task<Snapshot> MetricsAsync(ExperimentSession s, Network network, CancellationToken cancel)
    {
        var text = await s.Http.GetStringAsync(new Uri(network.Gateway, "metrics"), cancel);
        var sums = PrometheusText.Sums(text, n => n.StartsWith("livepeer_gateway_abandoned", StringComparison.Ordinal)
            || n.StartsWith("livepeer_gateway_detect", StringComparison.Ordinal) || n.StartsWith("livepeer_gateway_progress", StringComparison.Ordinal));
        return new Snapshot(sums, await s.Admin.AbandonedGpuSecondsAsync(network.Simulator, cancel));
    }

    /// <summary>Counts every request of the run, warm-up included, as the gateway and GPU counters cannot tell phases apart.</summary>
    internal static ProgressCost Cost(string label, string mode, string strategy, IReadOnlyList<RequestRecord> records, double sloMs, Snapshot before, Snapshot after)
    {
        var (b, a) = (before, after);
        double Delta(string name) => a.Gateway.GetValueOrDefault(name) - b.Gateway.GetValueOrDefault(name);
        var okFees = records.Where(r => r.IsOk).Aggregate(BigInteger.Zero, (acc, r) => BigInteger.TryParse(r.FeeWei, out var f) ? acc + f : acc);
        return new ProgressCost(
            label, mode, strategy, records.Count, records.Count(r => r.IsOk), records.Count(r => r.IsOk && r.LatencyMs <= sloMs),
            (long)Delta("livepeer_gateway_abandoned_attempts_total"),
            Delta("livepeer_gateway_detect_seconds_total"),
            a.AbandonedGpuSeconds is { } x && b.AbandonedGpuSeconds is { } y ? x - y : null,
            new BigInteger(Math.Round(Delta("livepeer_gateway_abandoned_fee_wei_total"))),
            okFees,
            (long)Delta("livepeer_gateway_progress_chunks_paid_total"));
    }

    public static (List<ReportSection> Sections, List<string> Conclusions) Analyse(IReadOnlyList<RunSummary> runs, IReadOnlyList<ProgressCost> costs, double scale, double sloSeconds)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var c in costs)
        {
            var run = runs.First(r => r.Label == c.Label);
            var o = run.Overall;
            rows.Add(
            [
                c.Mode, c.Strategy, Fmt.Int(o.Count), Fmt.Pct(o.Count == 0 ? double.NaN : (double)o.Good / o.Count), Fmt.Pct(o.SuccessRate),
                Fmt.Num(o.Latency.P95 / scale / 1000), Fmt.Int(c.Abandoned),
                c.Abandoned == 0 ? "–" : Fmt.Num(c.DetectSecondsScaled / c.Abandoned / scale),
                c.WastedGpuSeconds is { } w ? Fmt.Num(w) : "n/a",
                Fmt.Wei((double)c.AbandonedWei),
                c.Ok == 0 ? "–" : Fmt.Wei((double)(c.OkFeesWei + c.AbandonedWei) / c.Ok),
                Fmt.Int(c.ChunksPaid),
            ]);
        }

        var section = new ReportSection(
            "Request/response against pay per progress",
            ["mode", "strategy", "jobs", "on time", "success", "p95 s (real)", "abandoned attempts", "time to give up s (real, mean)", "wasted GPU s (real)", "wei paid for abandoned work", "cost per successful job (wei)", "chunks paid"],
            rows,
            Fmt.Inv($"On time: answered within the client's {sloSeconds} s deadline (measured phase). Abandoned attempts: attempts that ran and did not deliver (timeouts, errors, too slow, stalled, client gone), ") +
            "from the gateway's /metrics (livepeer_gateway_abandoned_attempts_total), whole run including warm-up; time to give up: their mean time from the attempt's start. " +
            "Wasted GPU s: simulated GPU-seconds held by jobs that ended without an answer (the simulator's abandonedSeconds, delta over the run; simulated seconds are real-world seconds). " +
            "Wei paid for abandoned work: livepeer_gateway_abandoned_fee_wei_total (the whole fee of a failed request/response attempt; every chunk paid on an abandoned interactive attempt). " +
            "Cost per successful job: (Livepeer-Fee of the successful jobs + wei paid for abandoned work) ÷ successful jobs.");
        var conclusions = costs.Select(c =>
        {
            var o = runs.First(r => r.Label == c.Label).Overall;
            return $"{c.Label}: {Fmt.Pct(o.Count == 0 ? double.NaN : (double)o.Good / o.Count)} on time, p95 {Fmt.Num(o.Latency.P95 / scale / 1000)} s real; " +
                $"{c.Abandoned} abandoned attempts" + (c.Abandoned == 0 ? "" : $" given up after {Fmt.Num(c.DetectSecondsScaled / c.Abandoned / scale)} s on average") +
                $", {(c.WastedGpuSeconds is { } w ? Fmt.Num(w) : "n/a")} GPU-seconds and {Fmt.Wei((double)c.AbandonedWei)} wei spent on them.";
        }).ToList();
        return ([section], conclusions);
    }
}
