using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Load;
using LivepeerAspire.LoadTests.Reports;
using LivepeerAspire.Networks.Chaos;

namespace LivepeerAspire.LoadTests.Experiments.Chaos;

/// <summary>
/// <c>chaos</c>: a seeded fault schedule (orchestrator kills and restarts, freezes, runner hangs, slowdowns, error
/// bursts, mid-stream LLM stalls) against a paid network under open-model load, beside the same load without faults;
/// success within deadline, latency, failovers, failures by cause, time to route around each fault, fees paid for
/// nothing, and the ledger reconciled after every winner is redeemed.
/// </summary>
public static class ChaosExperiment
{
    public const string DefaultScenario = "text-to-image=1,llm-stream=1";

    public static Command Create(CliContext context)
    {
        var o = new ExperimentOptions();
        var schedule = new Option<string?>("--schedule") { Description = "fault schedule file ({\"faults\":[{\"at\":\"12s\",\"for\":\"5s\",\"kind\":\"kill\",\"orchestrator\":\"o1\"}]}); default: generated from --seed" };
        var rate = new Option<double>("--fault-rate") { Description = "generated faults per orchestrator per minute of modelled time (run time ÷ time scale)", DefaultValueFactory = _ => 1 };
        var load = new Option<double>("--load") { Description = "fraction of fleet capacity", DefaultValueFactory = _ => 0.5 };
        var baseline = new Option<string?>("--baseline-duration") { Description = "measured phase of the no-fault run (default: --duration)" };
        var settle = new Option<string>("--settle-timeout") { Description = "how long to wait after the run for every winning ticket to be redeemed", DefaultValueFactory = _ => "120s" };
        var command = new Command("chaos", "Run a paid network through a seeded fault schedule and reconcile its ledger.");
        o.AddTo(command);
        command.Add(schedule);
        command.Add(rate);
        command.Add(load);
        command.Add(baseline);
        command.Add(settle);
        command.SetAction(async (p, cancel) =>
        {
            using var s = new ExperimentSession(o, p, context, "chaos");
            if (s.ExternalGateway is not null || s.Topology is null)
            {
                throw new UsageException("chaos kills and freezes orchestrator processes, so it starts its own network: give --topology (e.g. LoadTests/topologies/chaos.json), not --gateway");
            }

            var ticketEv = TicketEv(s.TopologyFile!);
            var fraction = p.GetValue(load);
            if (!(fraction > 0) || fraction > 2)
            {
                throw new UsageException("bad --load: use a fraction of fleet capacity in (0, 2]");
            }

            var faultRate = p.GetValue(rate);
            if (!(faultRate > 0) || !double.IsFinite(faultRate))
            {
                throw new UsageException("bad --fault-rate: use a positive number of faults per orchestrator per modelled minute");
            }

            var timeScale = s.TimeScale is { } ts && ts > 0 ? ts : 1;
            // Ten minutes of modelled time unless --duration says otherwise.
            var duration = p.GetResult(o.Duration) is { Implicit: false } ? s.Duration : TimeSpan.FromMinutes(10 * timeScale);
            var baselineDuration = p.GetValue(baseline) is { } bd ? CommonOptions.Duration(bd, "--baseline-duration") : duration;
            var settleTimeout = CommonOptions.Duration(p.GetValue(settle)!, "--settle-timeout");
            var scenario = p.GetValue(o.Scenario) is null ? Resolve(DefaultScenario) : s.Scenario(DefaultScenario);
            var targets = s.Topology.Gpus.Where(g => g.InSimulator).GroupBy(g => g.Orchestrator)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<ChaosGpu>)g.Select(x => new ChaosGpu(x.Id, x.Pipeline)).ToList(), StringComparer.Ordinal);
            foreach (var orchestrator in s.Topology.Gpus.Select(g => g.Orchestrator).Distinct().Where(n => !targets.ContainsKey(n)))
            {
                targets[orchestrator] = [];
            }

            var runLength = s.WarmUp + duration;
            IReadOnlyList<ChaosFault> faults;
            string source;
            try
            {
                if (p.GetValue(schedule) is { } file)
                {
                    faults = ChaosSchedule.Load(file, targets);
                    source = $"from {file}";
                }
                else
                {
                    var meanGap = TimeSpan.FromMinutes(timeScale / faultRate);
                    faults = ChaosSchedule.Generate(s.Seed, targets, s.WarmUp, runLength, meanGap);
                    source = Fmt.Inv($"generated from seed {s.Seed}: {faultRate} per orchestrator per modelled minute (a mean gap of {meanGap.TotalSeconds:0.#} s of run time)");
                }
            }
            catch (ChaosScheduleException e)
            {
                throw new UsageException(e.Message);
            }

            if (faults.FirstOrDefault(f => f.At >= runLength) is { } late)
            {
                throw new UsageException($"fault schedule entry {late.Index} ({late.Kind}) starts at {late.At.TotalSeconds:0.#} s, after the run's {runLength.TotalSeconds:0.#} s (warm-up + duration)");
            }

            Directory.CreateDirectory(s.OutFolder);
            ChaosSchedule.Write(Path.Combine(s.OutFolder, "schedule.json"), faults);
            await s.Log.WriteLineAsync($"chaos: {faults.Count} faults ({source}); schedule in {Path.Combine(s.OutFolder, "schedule.json")}");

            await using var network = await s.AcquireNetworkAsync(null, cancel);
            var aspire = network.Aspire ?? throw new UsageException("chaos needs a network the AppHost started", 4);
            var simulator = network.Simulator ?? throw new UsageException("chaos needs the simulator (its GPU faults)", 4);
            var totalRate = await RateAsync(s, scenario, network, fraction, cancel);
            using var https = HttpsClient();
            var accounts = new OrchestratorAccounts(https, aspire.OrchestratorUrls);
            await accounts.SampleAllAsync(TimeSpan.FromSeconds(10), cancel);
            var start = accounts.AllTotals();

            var parameters = new Dictionary<string, string>
            {
                ["load"] = Fmt.Pct(fraction) + " of fleet capacity" + Fmt.Inv($" ({totalRate:0.###} jobs/s)"),
                ["modelled time"] = Fmt.Inv($"{duration.TotalSeconds / timeScale / 60:0.#} min measured at time scale {timeScale}"),
            };
            var baseSpec = s.Spec("no faults", scenario, new PoissonSimulation(totalRate, baselineDuration), network.Gateway, parameters: parameters);
            var (baseSummary, baseRecords) = await s.RunAsync(baseSpec, network, null, cancel);
            await Task.Delay(TimeSpan.FromSeconds(2), cancel);
            await accounts.SampleAllAsync(TimeSpan.FromSeconds(10), cancel);
            var beforeChaos = accounts.AllTotals();

            var injector = new ChaosInjector(aspire, simulator, https, accounts, targets, line => s.Log.WriteLine(line));
            IReadOnlyList<ChaosOutcome> outcomes = [];
            var chaosSpec = s.Spec("chaos", scenario, new PoissonSimulation(totalRate, duration), network.Gateway, parameters: new Dictionary<string, string>(parameters)
            {
                ["faults"] = $"{faults.Count}, {source}",
            });
            var (chaosSummary, chaosRecords) = await s.RunAsync(chaosSpec, network, null, cancel,
                async (startedAt, ct) => outcomes = await injector.RunAsync(faults, startedAt, ct));

            await s.Log.WriteLineAsync("chaos: waiting for every winning ticket to be redeemed");
            var settled = await LedgerAudit.WaitForRedemptionsAsync(accounts, settleTimeout, cancel);
            var after = accounts.AllTotals();
            var name = OrchestratorNames(aspire.OrchestratorUrls);
            var delivered = chaosRecords.Where(r => r.IsOk).GroupBy(r => name(r.Orchestrator))
                .ToDictionary(g => g.Key, g => ((long)g.Count(), g.Aggregate(BigInteger.Zero, (sum, r) => sum + BigInteger.Parse(r.FeeWei, CultureInfo.InvariantCulture))), StringComparer.Ordinal);
            var chaosDelta = after.ToDictionary(kv => kv.Key, kv => kv.Value - beforeChaos[kv.Key], StringComparer.Ordinal);
            var baselineDelta = beforeChaos.ToDictionary(kv => kv.Key, kv => kv.Value - start[kv.Key], StringComparer.Ordinal);
            var ledger = await LedgerAudit.RunAsync(aspire.RunDirectory, ticketEv, after, outcomes, cancel);
            IReadOnlyDictionary<string, IReadOnlyList<BigInteger>> AtKills(bool ok) => outcomes.Where(x => x.KillWindow is not null).GroupBy(x => x.Fault.Orchestrator).ToDictionary(
                g => g.Key,
                g => (IReadOnlyList<BigInteger>)chaosRecords.Where(r => r.IsOk == ok && name(r.Orchestrator) == g.Key && g.Any(k =>
                        r.EndMs >= k.KillWindow!.Value.From.TotalMilliseconds && r.EndMs <= (k.KillWindow.Value.To + LedgerAudit.AnswerInFlight).TotalMilliseconds))
                    .Select(r => BigInteger.TryParse(r.FeeWei, CultureInfo.InvariantCulture, out var fee) ? fee : BigInteger.Zero).Where(fee => fee > 0).ToList(),
                StringComparer.Ordinal);
            var jobChecks = LedgerAudit.JobChecks(chaosDelta, delivered, AtKills(ok: true), AtKills(ok: false)).ToList();
            if (!settled)
            {
                jobChecks.Insert(0, new AuditCheck("every winner redeemed within --settle-timeout", false, $"still pending after {settleTimeout.TotalSeconds:0} s"));
            }

            var findings = new ChaosFindings(
                new ChaosRun(baseSummary, baseRecords), new ChaosRun(chaosSummary, chaosRecords), outcomes, baselineDelta, chaosDelta, delivered, jobChecks, ledger, s.TimeScale);
            var (sections, conclusions) = ChaosAnalysis.Analyse(findings);
            await s.WriteReportAsync($"Chaos on {Path.GetFileName(s.TopologyFile)}: {scenario.Name} at {Fmt.Pct(fraction)} of capacity, {faults.Count} faults", sections, conclusions, network.Gateway);
            var reconciled = jobChecks.All(c => c.Ok) && ledger.Reconciled;
            await s.Log.WriteLineAsync(reconciled ? "chaos: reconciled" : "chaos: NOT reconciled; see the report's Reconciliation table");
            return reconciled ? 0 : 1;
        });
        return command;
    }

    private static Scenario Resolve(string name) =>
        ScenarioCatalog.TryResolve(name, out var scenario, out var error) ? scenario! : throw new UsageException(error);

    /// <summary>Jobs per second for <paramref name="fraction"/> of what the fleet can serve of the mix: each kind's GPUs are separate, so the tightest kind binds.</summary>
    private static async Task<double> RateAsync(ExperimentSession s, Scenario scenario, Network network, double fraction, CancellationToken cancel)
    {
        if (s.CapacityOverride is { } given)
        {
            return given * fraction;
        }

        var total = scenario.Mix.Entries.Sum(e => e.Weight);
        var limit = double.PositiveInfinity;
        foreach (var entry in scenario.Mix.Entries.Where(e => e.Weight > 0))
        {
            var gpus = s.Topology!.Gpus.Where(g => g.Pipeline == entry.Kind.Pipeline() && g.InSimulator).ToList();
            if (gpus.Count == 0)
            {
                throw new UsageException($"the topology has no simulated GPU for {entry.Kind.Name()}, which the scenario sends");
            }

            var times = await CapacityProbe.MeasureAsync(s.Http, network.Simulator!, gpus, scenario, entry.Kind, s.Seed, s.Models, s.RequestTimeout, cancel);
            var capacity = CapacityProbe.Capacity(times);
            await s.Log.WriteLineAsync(Fmt.Inv($"capacity: {capacity:0.###} {entry.Kind.Name()} jobs per second (measured on the simulator)"));
            limit = Math.Min(limit, capacity / (entry.Weight / total));
        }

        return limit * fraction;
    }

    private static BigInteger TicketEv(string topologyFile)
    {
        var root = JsonNode.Parse(File.ReadAllText(topologyFile), documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var ev = root?["payments"] is JsonObject payments ? payments["ticketEV"]?.ToString() : null;
        return ev is not null && BigInteger.TryParse(ev, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v
            : throw new UsageException($"chaos reconciles a paid network's ledger: {topologyFile} needs \"payments\" with a \"ticketEV\" (e.g. LoadTests/topologies/chaos.json)");
    }

    private static Func<string, string> OrchestratorNames(IReadOnlyDictionary<string, string> urls) => uri =>
        urls.FirstOrDefault(u => string.Equals(u.Value.TrimEnd('/'), uri.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)).Key ?? uri;

    private static HttpClient HttpsClient() => new(new SocketsHttpHandler { UseProxy = false, SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };
}
