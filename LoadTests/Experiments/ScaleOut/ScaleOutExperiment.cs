using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Load;
using LivepeerAspire.LoadTests.Reports;
using LivepeerAspire.LoadTests.Running;
using LivepeerAspire.LoadTests.Stats;
using LivepeerAspire.Networks;
using LivepeerAspire.Networks.Chaos;

namespace LivepeerAspire.LoadTests.Experiments.ScaleOut;

/// <summary>
/// <c>scale-out</c>: the same seeded closed-model load against (a) 1, 2, 4 … gateway replicas behind the front door,
/// (b) the adaptive strategy on replicas that share their speed samples through Redis and on replicas that each learn
/// alone, on a fleet small enough that the orchestrators are the limit, and (c) replicas whose Redis is killed
/// (SIGKILL) and started again through the AppHost mid-run, with the ledger reconciled afterwards.
/// </summary>
public static class ScaleOutExperiment
{
    public static Command Create(CliContext context)
    {
        var o = new ExperimentOptions();
        var replicas = new Option<string>("--replicas") { Description = $"gateway replica counts to compare, 1 to {ScaleOutOptions.MaxReplicas} (1 = one gateway without Redis or front door)", DefaultValueFactory = _ => "1,2,4" };
        var copies = new Option<int>("--copies") { Description = "clients of the closed-model load (each sends its next job when the last one answered)", DefaultValueFactory = _ => 32 };
        var arms = new Option<string?>("--arms") { Description = "arms to run: replicas, speeds, redis (default all)" };
        var speedsReplicas = new Option<int>("--speeds-replicas") { Description = "replicas in the shared vs per-replica speeds arm", DefaultValueFactory = _ => 4 };
        var speedsCapacity = new Option<int>("--speeds-capacity") { Description = "every GPU's capacity in the speeds arm, small so the orchestrators (not the gateway) are the limit and a herd shows", DefaultValueFactory = _ => 2 };
        var redisReplicas = new Option<int>("--redis-replicas") { Description = "replicas in the Redis-killed arm", DefaultValueFactory = _ => 2 };
        var settle = new Option<string>("--settle-timeout") { Description = "how long to wait after the Redis arm for every winning ticket to be redeemed", DefaultValueFactory = _ => "120s" };
        var command = new Command("scale-out", "Gateway replicas behind one address: 1 vs 2 vs 4 replicas, shared vs per-replica adaptive speeds, Redis killed and restored mid-run.");
        o.AddTo(command);
        foreach (var option in new Option[] { replicas, copies, arms, speedsReplicas, speedsCapacity, redisReplicas, settle })
        {
            command.Add(option);
        }

        command.SetAction(async (p, cancel) =>
        {
            using var s = new ExperimentSession(o, p, context, "scale-out");
            if (s.ExternalGateway is not null || s.Topology is null)
            {
                throw new UsageException("scale-out starts one network per replica count, so give --topology (e.g. LoadTests/topologies/scale-out-load.json), not --gateway");
            }

            var counts = ScaleOutOptions.Replicas(p.GetValue(replicas)!, "--replicas");
            var chosen = ScaleOutOptions.Arms(p.GetValue(arms), "--arms");
            var clients = p.GetValue(copies) is var c && c is >= 1 and <= 10_000 ? c : throw new UsageException("bad --copies: give a whole number of clients from 1 to 10000");
            var herdReplicas = ScaleOutOptions.SharedReplicas(p.GetValue(speedsReplicas), "--speeds-replicas");
            var herdCapacity = p.GetValue(speedsCapacity) is var hc && hc >= 1 ? hc : throw new UsageException("bad --speeds-capacity: give a GPU capacity of 1 or more");
            var redisCount = ScaleOutOptions.SharedReplicas(p.GetValue(redisReplicas), "--redis-replicas");
            var settleTimeout = CommonOptions.Duration(p.GetValue(settle)!, "--settle-timeout");
            var ticketEv = chosen.Contains("redis") ? TicketEv(s.TopologyFile!) : BigInteger.Zero;
            var scenario = s.Scenario("text-to-image");
            var source = s.TopologyFile!;
            Directory.CreateDirectory(s.OutFolder);
            var load = new KeepConstantSimulation(clients, s.Duration);
            var parameters = new Dictionary<string, string> { ["load"] = $"closed model: {clients} clients, each sending its next job when the last one answered" };
            var sections = new List<ReportSection>();
            var conclusions = new List<string>();
            var exit = 0;
            Uri? lastGateway = null;

            if (chosen.Contains("replicas"))
            {
                var rows = new List<(int Replicas, RunSummary Summary)>();
                foreach (var n in counts)
                {
                    await using var network = await StartAsync(s, source, $"replicas-{n}", n, null, null, null, cancel);
                    lastGateway = network.Gateway;
                    var label = n == 1 ? "1 gateway" : $"{n} replicas";
                    var (summary, _) = await s.RunAsync(s.Spec(label, scenario, load, network.Gateway, parameters: parameters), network, null, cancel);
                    rows.Add((n, summary));
                }

                sections.Add(ScaleOutAnalysis.ReplicaSection(rows));
                conclusions.AddRange(ScaleOutAnalysis.ReplicaConclusions(rows));
            }

            if (chosen.Contains("speeds"))
            {
                var runs = new List<HerdRun>();
                foreach (var share in new[] { true, false })
                {
                    var env = new Dictionary<string, string> { ["SharedState__ShareSpeeds"] = share ? "true" : "false" };
                    await using var network = await StartAsync(s, source, share ? "speeds-shared" : "speeds-per-replica", herdReplicas, herdCapacity, env, "adaptive", cancel);
                    lastGateway = network.Gateway;
                    var label = share ? $"adaptive, {herdReplicas} replicas, shared speeds" : $"adaptive, {herdReplicas} replicas, per-replica speeds";
                    var (summary, records) = await s.RunAsync(s.Spec(label, scenario, load, network.Gateway, parameters: new Dictionary<string, string>(parameters)
                    {
                        ["fleet"] = $"every GPU at capacity {herdCapacity}",
                        ["SharedState:ShareSpeeds"] = share ? "true" : "false",
                    }), network, null, cancel);
                    runs.Add(new HerdRun(summary, ScaleOutAnalysis.Herding(records, OrchestratorNames(network.Aspire?.OrchestratorUrls))));
                }

                sections.Add(ScaleOutAnalysis.HerdSection(runs, herdCapacity));
                conclusions.AddRange(ScaleOutAnalysis.HerdConclusions(runs));
            }

            if (chosen.Contains("redis"))
            {
                await using var network = await StartAsync(s, source, "redis-killed", redisCount, null, null, null, cancel);
                lastGateway = network.Gateway;
                var aspire = network.Aspire ?? throw new UsageException("the Redis arm needs a network the AppHost started", 4);
                using var https = HttpsClient();
                var accounts = new OrchestratorAccounts(https, aspire.OrchestratorUrls);
                var spec = s.Spec($"{redisCount} replicas, Redis killed and restored", scenario, load, network.Gateway, parameters: parameters);
                // Primed here rather than by the session, so that the counters read next cover exactly the measured run's jobs.
                s.MarkPrimed(network);
                await s.Log.WriteLineAsync("priming the network for 5 s (not measured)");
                await new RunExecutor(s.Http, context.Time, false, TextWriter.Null).ExecuteAsync(
                    spec with { Label = "priming", Simulation = load with { Duration = TimeSpan.FromSeconds(5) }, WarmUp = TimeSpan.Zero }, cancel);
                await Task.Delay(TimeSpan.FromSeconds(1), cancel);
                await accounts.SampleAllAsync(TimeSpan.FromSeconds(10), cancel);
                var before = accounts.AllTotals();
                var killAt = s.WarmUp + s.Duration / 3;
                var restoreAt = s.WarmUp + s.Duration * 2 / 3;
                RedisOutage? outage = null;
                var (summary, records) = await s.RunAsync(spec with
                {
                    Parameters = new Dictionary<string, string>(parameters)
                    {
                        ["fault"] = Fmt.Inv($"redis-server killed (SIGKILL) {killAt.TotalSeconds:0.#} s into the run, started again through the AppHost at {restoreAt.TotalSeconds:0.#} s"),
                    },
                }, network, null, cancel, async (startedAt, ct) => outage = await KillAndRestoreRedisAsync(aspire, startedAt, killAt, restoreAt, s.Log, ct));

                await s.Log.WriteLineAsync("scale-out: waiting for every winning ticket to be redeemed");
                var settled = await LedgerAudit.WaitForRedemptionsAsync(accounts, settleTimeout, cancel);
                var after = accounts.AllTotals();
                var name = OrchestratorNames(aspire.OrchestratorUrls);
                var delivered = records.Where(r => r.IsOk).GroupBy(r => name(r.Orchestrator)).ToDictionary(
                    g => g.Key, g => ((long)g.Count(), g.Aggregate(BigInteger.Zero, (sum, r) => sum + (BigInteger.TryParse(r.FeeWei, CultureInfo.InvariantCulture, out var fee) ? fee : 0))), StringComparer.Ordinal);
                var delta = after.ToDictionary(kv => kv.Key, kv => kv.Value - before[kv.Key], StringComparer.Ordinal);
                var checks = LedgerAudit.JobChecks(delta, delivered).ToList();
                if (!settled)
                {
                    checks.Insert(0, new AuditCheck("every winner redeemed within --settle-timeout", false, $"still pending after {settleTimeout.TotalSeconds:0} s"));
                }

                if (outage is null || outage.Error is not null)
                {
                    checks.Insert(0, new AuditCheck("Redis killed and restored as scheduled", false, outage?.Error ?? "the run ended before the kill"));
                }

                var ledger = await LedgerAudit.RunAsync(aspire.RunDirectory, ticketEv, after, [], cancel);
                sections.AddRange(ScaleOutAnalysis.RedisSections(summary, records, outage, delta, checks, ledger));
                conclusions.AddRange(ScaleOutAnalysis.RedisConclusions(summary, records, outage, delta, checks, ledger));
                var reconciled = checks.All(x => x.Ok) && ledger.Reconciled;
                await s.Log.WriteLineAsync(reconciled ? "scale-out: ledger reconciled" : "scale-out: NOT reconciled; see the report's Reconciliation table");
                exit = reconciled ? 0 : 1;
            }

            s.UseTopology(source); // the report header names the file given, not the last arm's copy
            await s.WriteReportAsync($"Scale-out on {Path.GetFileName(source)}: {scenario.Name}, {clients} clients, arms {string.Join(", ", chosen)}", sections, conclusions, lastGateway ?? new Uri("http://127.0.0.1/"));
            return exit;
        });
        return command;
    }

    /// <summary>Writes the arm's topology (replica count, GPU capacity) into the report folder and starts a network from it.</summary>
    private static async Task<Network> StartAsync(
        ExperimentSession s, string source, string name, int replicas, int? gpuCapacity, IReadOnlyDictionary<string, string>? environment, string? strategy, CancellationToken cancel)
    {
        var file = Path.Combine(s.OutFolder, $"{name}.json");
        TopologyInfo.WriteScaleOutVariant(source, file, replicas, gpuCapacity);
        s.UseTopology(file);
        await s.Log.WriteLineAsync($"scale-out: starting {name} ({replicas} gateway replica(s))");
        return await s.AcquireNetworkAsync(environment, cancel, strategy);
    }

    private static async Task<RedisOutage> KillAndRestoreRedisAsync(LivepeerNetwork network, long startedAt, TimeSpan killAt, TimeSpan restoreAt, TextWriter log, CancellationToken cancel)
    {
        const string Redis = "redis";
        await Task.Delay(Until(startedAt, killAt), cancel);
        if (!network.App.ResourceNotifications.TryGetCurrentState(Redis, out var state)
            || state.Snapshot.Properties.SingleOrDefault(x => x.Name == "executable.pid")?.Value is not { } pidValue)
        {
            return new RedisOutage(TimeSpan.Zero, TimeSpan.Zero, null, $"redis has no process id (state {network.StateOf(Redis) ?? "unknown"})");
        }

        using (var process = Process.GetProcessById(Convert.ToInt32(pidValue, CultureInfo.InvariantCulture)))
        {
            process.Kill(); // SIGKILL on Linux
            await process.WaitForExitAsync(CancellationToken.None);
        }

        var killed = Stopwatch.GetElapsedTime(startedAt);
        await log.WriteLineAsync(Fmt.Inv($"fault: redis-server killed at {killed.TotalSeconds:0.0} s"));
        // The restore happens even when the run is over by then: the network must not be left without its Redis.
        try
        {
            await Task.Delay(Until(startedAt, restoreAt), cancel);
        }
        catch (OperationCanceledException)
        {
        }

        for (var i = 0; i < 300 && network.StateOf(Redis) == "Running"; i++)
        {
            await Task.Delay(100, CancellationToken.None);
        }

        var restored = Stopwatch.GetElapsedTime(startedAt);
        var result = await network.ExecuteCommandAsync(Redis, "resource-start", CancellationToken.None);
        if (!result.Success)
        {
            return new RedisOutage(killed, restored, null, $"resource-start refused: {result.Message}");
        }

        using var healthy = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await network.WaitForHealthyAsync(Redis, healthy.Token);
        var back = Stopwatch.GetElapsedTime(startedAt);
        await log.WriteLineAsync(Fmt.Inv($"fault: redis-server started again at {restored.TotalSeconds:0.0} s, healthy at {back.TotalSeconds:0.0} s"));
        return new RedisOutage(killed, restored, back, null);
    }

    private static TimeSpan Until(long startedAt, TimeSpan at) => at - Stopwatch.GetElapsedTime(startedAt) is var d && d > TimeSpan.Zero ? d : TimeSpan.Zero;

    private static BigInteger TicketEv(string topologyFile)
    {
        var root = JsonNode.Parse(File.ReadAllText(topologyFile), documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var ev = root?["payments"] is JsonObject payments ? payments["ticketEV"]?.ToString() : null;
        return ev is not null && BigInteger.TryParse(ev, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v
            : throw new UsageException($"the redis arm reconciles a paid network's ledger: {topologyFile} needs \"payments\" with a \"ticketEV\" (e.g. LoadTests/topologies/scale-out-load.json), or leave the arm out with --arms replicas,speeds");
    }

    private static Func<string, string> OrchestratorNames(IReadOnlyDictionary<string, string>? urls) => uri =>
        urls?.FirstOrDefault(u => string.Equals(u.Value.TrimEnd('/'), uri.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)).Key ?? uri;

    private static HttpClient HttpsClient() => new(new SocketsHttpHandler { UseProxy = false, SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };
}

/// <summary>When Redis was killed, started again and healthy again, in run time; <see cref="Error"/> when that failed.</summary>
public sealed record RedisOutage(TimeSpan Killed, TimeSpan Restarted, TimeSpan? Healthy, string? Error);

/// <summary>How one adaptive run spread its jobs: per orchestrator, and the biggest one's share in each second.</summary>
public sealed record Herding(IReadOnlyDictionary<string, int> JobsByOrchestrator, double MeanTopShare, double WorstTopShare, int Windows);

public sealed record HerdRun(RunSummary Summary, Herding Herding);
