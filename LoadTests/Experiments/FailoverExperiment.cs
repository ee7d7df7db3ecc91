using System.CommandLine;
using System.Numerics;
using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Load;
using LivepeerAspire.LoadTests.Reports;
using LivepeerAspire.LoadTests.Running;
using LivepeerAspire.LoadTests.Stats;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>What one failover run cost beyond the client-visible figures.</summary>
public sealed record FailoverCost(
    string Label, string Setting, string Fault, string Victim, long FailedOver, long FailedAttempts,
    long? WastedGpuJobs, double? WastedGpuSeconds, BigInteger FeesOnFailures, double? GatewayPaymentDelta, BigInteger FeesOnSuccesses);

/// <summary>
/// <c>failover</c>: fault schedules (an orchestrator's GPU crashes, hangs, slows down 10×, errors 20 %) under
/// several gateway timeout settings, at a steady Poisson load; success rate, added latency, wasted GPU work
/// and wasted payments. The fault, its victim and its time come from the seed.
/// </summary>
public static class FailoverExperiment
{
    /// <summary>The second timeout setting compared when none is given: shorter deadlines and attempts (gateway keys, docs/gateway.md).</summary>
    public const string DefaultTightSetting = "tight:Timeouts__DeadlineFactor=4;Timeouts__AttemptShare=0.35";

    public static Command Create(CliContext context)
    {
        var o = new ExperimentOptions();
        var faults = new Option<string?>("--faults") { Description = "fault schedules: none,crash,hang,slow,errors (default all)" };
        var settings = new Option<string[]>("--timeout-setting") { Description = "gateway setting name:KEY=VALUE;KEY=VALUE (repeatable; each starts its own network; default: gateway defaults and " + DefaultTightSetting + ")" };
        var load = new Option<double>("--load") { Description = "fraction of fleet capacity", DefaultValueFactory = _ => 0.5 };
        var command = new Command("failover", "Measure timeouts and failover under fault schedules and timeout settings.");
        o.AddTo(command);
        command.Add(faults);
        command.Add(settings);
        command.Add(load);
        command.SetAction(async (p, cancel) =>
        {
            using var s = new ExperimentSession(o, p, context, "failover");
            var faultNames = ExperimentOptions.List(p.GetValue(faults), "--faults", FaultSchedule.Names);
            foreach (var f in faultNames.Where(f => !FaultSchedule.Names.Contains(f)))
            {
                throw new UsageException($"unknown fault schedule '{f}'; known: {string.Join(", ", FaultSchedule.Names)}");
            }

            var gatewaySettings = (p.GetValue(settings) ?? []).Select(t => GatewaySetting.Parse(t, "--timeout-setting")).ToList();
            if (gatewaySettings.Count == 0)
            {
                gatewaySettings.Add(GatewaySetting.Default);
                if (s.ExternalGateway is null)
                {
                    gatewaySettings.Add(GatewaySetting.Parse(DefaultTightSetting, "--timeout-setting"));
                }
            }

            if (s.ExternalGateway is not null && gatewaySettings.Count > 1)
            {
                throw new UsageException("several --timeout-setting values need a network per setting: give --topology instead of --gateway");
            }

            var fraction = p.GetValue(load);
            if (!(fraction > 0) || fraction > 2)
            {
                throw new UsageException("bad --load: use a fraction of fleet capacity in (0, 2]");
            }

            var scenario = s.Scenario("llm-stream");
            s.RequireCapacitySource(scenario);
            var pipeline = scenario.Mix.Entries.OrderByDescending(e => e.Weight).First().Kind.Pipeline();
            var gpus = s.Topology?.Gpus.Where(g => g.Pipeline == pipeline && g.InSimulator).ToList() ?? [];
            var meanServiceSeconds = gpus.Select(g => CapacityModel.ServiceSeconds(g.Profile, g.Pipeline)).OfType<double>().DefaultIfEmpty(double.NaN).Average();
            var costs = new List<FailoverCost>();
            var lastGateway = s.ExternalGateway ?? new Uri("http://127.0.0.1/");
            foreach (var setting in gatewaySettings)
            {
                await using var network = await s.AcquireNetworkAsync(setting.Environment, cancel);
                lastGateway = network.Gateway;
                var capacity = await s.CapacityAsync(scenario, network, cancel);
                foreach (var fault in faultNames)
                {
                    var schedule = FaultSchedule.Create(fault, gpus.Select(g => g.Id).ToList(), s.WarmUp, s.Duration, s.Seed);
                    var label = $"{setting.Name} / {fault}";
                    var servedBefore = await s.Admin.JobsServedAsync(network.Simulator, cancel);
                    var paidBefore = await PrometheusText.PaymentCountersAsync(s.Http, network.Gateway, cancel);
                    var spec = s.Spec(label, scenario, new PoissonSimulation(capacity * fraction, s.Duration), network.Gateway, parameters: new Dictionary<string, string>
                    {
                        ["timeout setting"] = $"{setting.Name} ({setting.Describe()})",
                        ["fault"] = schedule.Count == 0 ? "none" : string.Join("; ", schedule.Select(e => $"{e.Kind} on {e.GpuId} at {e.At.TotalSeconds:0.#} s")),
                        ["load"] = Fmt.Pct(fraction) + " of fleet capacity",
                    });
                    var (summary, records) = await s.RunAsync(spec, network, schedule, cancel);
                    var servedAfter = await s.Admin.JobsServedAsync(network.Simulator, cancel);
                    var paidAfter = await PrometheusText.PaymentCountersAsync(s.Http, network.Gateway, cancel);
                    costs.Add(Cost(label, setting.Name, fault, schedule, records, servedBefore, servedAfter, paidBefore, paidAfter, meanServiceSeconds));
                }
            }

            var (sections, conclusions) = Analyse(s.Runs, costs, s.TimeScale);
            await s.WriteReportAsync($"Failover and timeouts on {Path.GetFileName(s.TopologyFile ?? "a running network")}: {scenario.Name}", sections, conclusions, lastGateway);
            return 0;
        });
        return command;
    }

    /// <summary>Wasted work and money of one run. Counts every request of the run, warm-up included, because GPU counters cannot tell phases apart.</summary>
    public static FailoverCost Cost(
        string label, string setting, string fault, IReadOnlyList<FaultEvent> schedule, IReadOnlyList<RequestRecord> records,
        Dictionary<string, long>? servedBefore, Dictionary<string, long>? servedAfter,
        Dictionary<string, double>? paidBefore, Dictionary<string, double>? paidAfter, double meanServiceSeconds)
    {
        long? wastedJobs = null;
        if (servedBefore is not null && servedAfter is not null)
        {
            var served = servedAfter.Sum(kv => kv.Value - servedBefore.GetValueOrDefault(kv.Key));
            wastedJobs = Math.Max(0, served - records.Count(r => r.IsOk));
        }

        double? paidDelta = paidBefore is not null && paidAfter is not null
            ? paidAfter.Sum(kv => kv.Value - paidBefore.GetValueOrDefault(kv.Key))
            : null;
        BigInteger Fees(IEnumerable<RequestRecord> rs) => rs.Aggregate(BigInteger.Zero, (acc, r) => BigInteger.TryParse(r.FeeWei, out var f) ? acc + f : acc);
        return new FailoverCost(
            label, setting, fault, string.Join(",", schedule.Select(e => e.GpuId)),
            records.Count(r => r.Attempts > 1),
            records.Sum(r => (long)Math.Max(0, (r.Attempts ?? 1) - 1)),
            wastedJobs,
            wastedJobs is { } w && double.IsFinite(meanServiceSeconds) ? w * meanServiceSeconds : null,
            Fees(records.Where(r => !r.IsOk)),
            paidDelta,
            Fees(records.Where(r => r.IsOk)));
    }

    public static (List<ReportSection> Sections, List<string> Conclusions) Analyse(IReadOnlyList<RunSummary> runs, IReadOnlyList<FailoverCost> costs, double? timeScale)
    {
        var rows = new List<IReadOnlyList<string>>();
        var conclusions = new List<string>();
        foreach (var c in costs)
        {
            var run = runs.First(r => r.Label == c.Label);
            var baseline = runs.FirstOrDefault(r => r.Label == $"{c.Setting} / none");
            var o = run.Overall;
            string Added(Func<Distribution, double> pick) => baseline is null || c.Fault == "none" ? "–" : Fmt.Num(pick(o.Latency) - pick(baseline.Overall.Latency));
            rows.Add(
            [
                c.Setting, c.Fault, c.Victim.Length == 0 ? "–" : c.Victim, Fmt.Pct(o.SuccessRate), Fmt.Int(o.Timeouts), Fmt.Num(o.Latency.P50), Fmt.Num(o.Latency.P95),
                Added(d => d.P50), Added(d => d.P95), Fmt.Int(c.FailedOver), Fmt.Int(c.FailedAttempts),
                c.WastedGpuJobs is { } w ? Fmt.Int(w) : "n/a", c.WastedGpuSeconds is { } g ? Fmt.Num(g) : "n/a",
                c.FeesOnFailures.ToString(), c.GatewayPaymentDelta is { } pd ? Fmt.Wei(pd - (double)c.FeesOnSuccesses) : "n/a",
            ]);
            if (c.Fault != "none")
            {
                conclusions.Add(
                    $"{c.Setting}, {c.Fault}: {Fmt.Pct(o.SuccessRate)} of jobs succeeded ({o.Timeouts} timeouts), {c.FailedOver} failed over; " +
                    (baseline is null ? "" : $"p95 {Fmt.Num(o.Latency.P95)} ms vs {Fmt.Num(baseline.Overall.Latency.P95)} ms without the fault; ") +
                    (c.WastedGpuSeconds is { } ws ? $"≈{Fmt.Num(ws)} real-world GPU seconds wasted." : "wasted GPU work not measured (no simulator counters)."));
            }
        }

        var scale = timeScale is { } ts && Math.Abs(ts - 1) > 1e-12 ? Fmt.Inv($" Latencies in scaled ms (×{ts}).") : "";
        var section = new ReportSection(
            "Failover: success, added latency, wasted work and payments",
            ["timeout setting", "fault", "victim GPU", "success", "timeouts", "p50 ms", "p95 ms", "added p50 ms", "added p95 ms", "failed over", "failed attempts", "wasted GPU jobs", "wasted GPU s (real)", "fees on failed jobs (wei)", "paid − fees of ok jobs (wei)"],
            rows,
            "Added latency: against the same timeout setting without a fault. Failed over: jobs with Livepeer-Attempts > 1; failed attempts: Σ(attempts − 1). " +
            "Wasted GPU jobs: jobs the simulated GPUs finished (GET /admin/gpus jobsServed, delta over the run) minus jobs clients received; " +
            "wasted GPU s: that × the published real-world service time of the pipeline's GPUs (an estimate). " +
            "Paid − fees of ok jobs: the delta of the gateway's fee/payment counters at /metrics minus the Livepeer-Fee of successful jobs." + scale);
        return ([section], conclusions);
    }
}
