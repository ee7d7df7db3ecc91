using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using LivepeerAspire.LoadTests.Experiments.Overhead;
using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Load;
using LivepeerAspire.LoadTests.Reports;
using LivepeerAspire.LoadTests.Stats;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>
/// <c>overhead</c>: what the gateway itself costs, in one run. The same load goes to the same zero-latency runner
/// through one plain YARP hop, two chained YARP hops (the gateway → orchestrator hop count), nginx (when
/// installed), and the gateway path with payments off, on at one ticket per job and on at the default ticket EV:
/// added p50/p99 at a fixed open-model rate, and maximum throughput with a closed model. Then the cost that grows
/// with the network: one simulated orchestrator replicated N times, CPU per job per process.
/// </summary>
public static class OverheadExperiment
{
    private const string PaymentsOff = "payments off";
    private const string OneTicket = "payments on, 1 ticket/job";
    private const string DefaultEv = "payments on, default ticket EV";

    public static Command Create(CliContext context)
    {
        var o = new ExperimentOptions();
        var rate = new Option<double>("--rate") { Description = "open-model rate for the latency comparison (requests/s)", DefaultValueFactory = _ => 100 };
        var copies = new Option<int>("--copies") { Description = "closed-model copies for the throughput runs", DefaultValueFactory = _ => 16 };
        var throughputDuration = new Option<string>("--throughput-duration") { Description = "length of each throughput run", DefaultValueFactory = _ => "8s" };
        var replicas = new Option<string>("--replicas") { Description = "orchestrator counts of the network-size sweep (RTX 4090 text-to-image, time scale 1e-5, payments off); 'none' skips it", DefaultValueFactory = _ => "1,4,16,64" };
        var sweepDuration = new Option<string>("--sweep-duration") { Description = "length of each sweep run (after as long a warm-up)", DefaultValueFactory = _ => "10s" };
        var command = new Command("overhead", "Gateway vs plain YARP hops and nginx to the same zero-latency runner (added latency, maximum throughput), and CPU per job as the network grows.");
        o.AddTo(command);
        foreach (var opt in new Option[] { rate, copies, throughputDuration, replicas, sweepDuration })
        {
            command.Add(opt);
        }

        command.SetAction(async (p, cancel) =>
        {
            using var s = new ExperimentSession(o, p, context, "overhead", generatesTopology: true);
            if (s.ExternalGateway is not null || p.GetValue(o.Topology) is not null)
            {
                throw new UsageException("overhead starts its own networks (baselines, payments settings, sweep); drop --gateway/--topology");
            }

            var r = p.GetValue(rate);
            if (!(r > 0) || r > 100_000)
            {
                throw new UsageException("bad --rate: use a rate above 0 and at most 100000 requests per second");
            }

            var n = p.GetValue(copies);
            if (n is < 1 or > 1000)
            {
                throw new UsageException("bad --copies: use 1..1000");
            }

            var tputDuration = CommonOptions.Duration(p.GetValue(throughputDuration)!, "--throughput-duration");
            var sweepFor = CommonOptions.Duration(p.GetValue(sweepDuration)!, "--sweep-duration");
            var sweep = Replicas(p.GetValue(replicas)!);
            var scenario = s.Scenario("text-to-image");
            var notes = new List<string>();
            var sweepRows = new List<IReadOnlyList<string>>();
            Directory.CreateDirectory(s.OutFolder);

            await using (var runner = await ZeroLatencyRunner.StartAsync())
            {
                var upstream = runner.Url;
                var runnerNote = $"zero-latency runner {upstream} (in the load generator's process)";

                // Baselines: real processes in front of the same runner.
                await using (var hop1 = await YarpHop.StartProcessAsync(upstream, cancel))
                await using (var hop2a = await YarpHop.StartProcessAsync(upstream, cancel))
                await using (var hop2b = await YarpHop.StartProcessAsync(hop2a.Url, cancel))
                {
                    await s.Log.WriteLineAsync($"overhead: YARP hop {hop1.Url} → {upstream}; chained {hop2b.Url} → {hop2a.Url} → {upstream}");
                    var direct = new Network(hop1.Url, null, null);
                    await Measure(s, scenario, "1 YARP hop", hop1.Url, direct, r, n, tputDuration, runnerNote, cancel);
                    await Measure(s, scenario, "2 YARP hops", hop2b.Url, new Network(hop2b.Url, null, null), r, n, tputDuration, runnerNote, cancel);
                }

                if (NginxHop.Binary is { } nginx)
                {
                    await using var hop = await NginxHop.StartAsync(nginx, upstream, Path.Combine(s.OutFolder, "nginx"), cancel);
                    await Measure(s, scenario, "nginx", hop.Url, new Network(hop.Url, null, null), r, n, tputDuration, runnerNote + "; " + nginx, cancel);
                }
                else
                {
                    notes.Add("nginx: not installed here (no nginx binary in /usr/sbin, /usr/bin, /usr/local), so no nginx row; `apt-get install nginx` adds it.");
                }

                // The gateway path, three payment settings, each on its own network.
                await GatewayAsync(s, scenario, PaymentsOff, GeneratedTopology(upstream, null), r, n, tputDuration, cancel);
                await GatewayAsync(s, scenario, DefaultEv, GeneratedTopology(upstream, new JsonObject()), r, n, tputDuration, cancel);
                var perJob = FeePerJob(s.Records, DefaultEv);
                if (perJob is { } wei && wei > 0)
                {
                    // Ticket EV = the fee of one job: every job needs exactly one new ticket (credit never covers the next).
                    await GatewayAsync(s, scenario, OneTicket, GeneratedTopology(upstream, new JsonObject { ["ticketEV"] = wei.ToString(CultureInfo.InvariantCulture) }), r, n, tputDuration, cancel);
                }
                else
                {
                    notes.Add("payments on, 1 ticket/job: skipped, the default-EV run reported no Livepeer-Fee to size the ticket EV by.");
                }

            }

            foreach (var count in sweep)
            {
                sweepRows.Add(await SweepAsync(s, scenario, count, n, sweepFor, cancel));
            }

            var (sections, conclusions) = Analyse(s.Runs, s.Records);
            if (sweepRows.Count > 0)
            {
                sweepRows = WithRatios(sweepRows);
                sections.Add(new ReportSection(
                    "Cost that grows with the network",
                    ["orchestrators", "ok/s", "ok/s vs N=1", "CPU ms/job: gateway", "orchestrators (sum)", "vs N=1", "simulator", "machine CPU share"],
                    sweepRows,
                    "One RTX 4090 text-to-image orchestrator (simulated, time scale 1e-5, capacity 64, payments off) replicated N times; " +
                    $"closed model, {n} copies, {sweepFor.TotalSeconds:0.#} s after as long a warm-up. CPU = user + system time from /proc/<pid>/stat " +
                    "of every service process of the network around the measured run, divided by the jobs it completed."));
            }

            conclusions.AddRange(notes);
            await s.WriteReportAsync("Gateway overhead against plain YARP hops and nginx", sections, conclusions, new Uri("http://127.0.0.1/"));
            return 0;
        });
        return command;
    }

    private static IReadOnlyList<int> Replicas(string text)
    {
        if (text.Trim() is "none" or "0")
        {
            return [];
        }

        var result = new List<int>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v is < 1 or > 64)
            {
                throw new UsageException($"bad --replicas '{text}': give orchestrator counts 1..64 such as 1,4,16,64, or none");
            }

            result.Add(v);
        }

        return result.Count > 0 ? result : throw new UsageException("bad --replicas: give orchestrator counts such as 1,4,16,64, or none");
    }

    private static async Task GatewayAsync(
        ExperimentSession s, Scenario scenario, string setting, string topology, double rate, int copies, TimeSpan tputDuration, CancellationToken cancel)
    {
        var file = Path.Combine(s.OutFolder, $"overhead-{Slug(setting)}.json");
        await File.WriteAllTextAsync(file, topology, cancel);
        s.UseTopology(file);
        await using var network = await s.AcquireNetworkAsync(null, cancel);
        await Measure(s, scenario, $"gateway ({setting})", network.Gateway, network, rate, copies, tputDuration, Path.GetFileName(file), cancel);
    }

    private static long? FeePerJob(IReadOnlyList<Running.RequestRecord> records, string setting)
    {
        var fees = records.Where(x => x.Run.StartsWith($"gateway ({setting})", StringComparison.Ordinal) && x.IsOk && long.TryParse(x.FeeWei, out _))
            .Select(x => long.Parse(x.FeeWei, CultureInfo.InvariantCulture)).Where(f => f > 0).OrderBy(f => f).ToList();
        return fees.Count == 0 ? null : fees[fees.Count / 2];
    }

    private static async Task<IReadOnlyList<string>> SweepAsync(ExperimentSession s, Scenario scenario, int count, int copies, TimeSpan duration, CancellationToken cancel)
    {
        var file = Path.Combine(s.OutFolder, $"overhead-replicas-{count}.json");
        await File.WriteAllTextAsync(file, ReplicatedTopology(count), cancel);
        s.UseTopology(file);
        var label = $"{count} orchestrator{(count == 1 ? "" : "s")}";
        Network network;
        try
        {
            network = await s.AcquireNetworkAsync(null, cancel);
        }
        catch (UsageException e) when (e.ExitCode == 4)
        {
            // A network too big to come up here is a finding of the sweep, not the end of the experiment.
            await s.Log.WriteLineAsync($"sweep: {label} did not come up: {e.Message}");
            return [count.ToString(CultureInfo.InvariantCulture), "did not come up", "–", "–", "–", "–", "–", e.Message.ReplaceLineEndings(" ")];
        }

        await using var owned = network;
        var parameters = new Dictionary<string, string> { ["path"] = "gateway", ["orchestrators"] = count.ToString(CultureInfo.InvariantCulture), ["note"] = Path.GetFileName(file) };
        var spec = s.Spec($"sweep: {label}", scenario, new KeepConstantSimulation(copies, duration), network.Gateway, parameters: parameters) with { WarmUp = TimeSpan.Zero, MaxRequests = 500_000 };
        await s.Log.WriteLineAsync($"sweep: {label}, warming up {duration.TotalSeconds:0.#} s");
        await new Running.RunExecutor(s.Http, TimeProvider.System, false, TextWriter.Null).ExecuteAsync(spec with { Label = "sweep warm-up" }, cancel);
        s.MarkPrimed(network);
        var before = ProcessCpu.Snapshot();
        var started = TimeProvider.System.GetTimestamp();
        var (summary, _) = await s.RunAsync(spec, network, null, cancel);
        var after = ProcessCpu.Snapshot();
        var wall = TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
        var spent = ProcessCpu.Between(before, after);
        var ok = Math.Max(1, summary.Overall.Ok);
        string PerJob(string service) => spent.TryGetValue(service, out var ms) ? Fmt.Num(ms / ok) : "–";
        var total = spent.Values.Sum();
        return
        [
            count.ToString(CultureInfo.InvariantCulture), Fmt.Num(summary.Overall.OkRps), "", PerJob("Gateway"), PerJob("Orchestrator"), "", PerJob("Runner.Simulated"),
            Fmt.Pct(total / (wall * Environment.ProcessorCount)),
        ];
    }

    /// <summary>Fills "vs N=1" for throughput and orchestrator CPU per job, when N=1 was measured.</summary>
    private static List<IReadOnlyList<string>> WithRatios(List<IReadOnlyList<string>> rows)
    {
        var one = rows.FirstOrDefault(r => r[0] == "1");
        static double V(string text) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
        return rows.Select(r => (IReadOnlyList<string>)
        [
            r[0], r[1], one is null ? "–" : Fmt.Pct(V(r[1]) / V(one[1])), r[3], r[4], one is null ? "–" : Fmt.Num(V(r[4]) / V(one[4])) + "×", r[6], r[7],
        ]).ToList();
    }

    private static string Slug(string text) => new(text.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());

    /// <summary>One orchestrator with room for any concurrency whose text-to-image GPU is the external zero-latency runner.</summary>
    public static string GeneratedTopology(Uri runner, JsonObject? payments)
    {
        var topology = new JsonObject
        {
            ["name"] = "overhead",
            ["description"] = "generated by the overhead experiment: one orchestrator in front of a zero-latency runner",
            ["timeScale"] = 1,
            ["seed"] = 42,
            ["orchestrators"] = new JsonArray
            {
                new JsonObject
                {
                    ["name"] = "zero",
                    ["stake"] = 1000,
                    ["gpus"] = new JsonArray
                    {
                        new JsonObject
                        {
                            ["pipeline"] = "text-to-image",
                            ["model"] = "stabilityai/sdxl-turbo",
                            ["runner"] = "external",
                            ["url"] = runner.AbsoluteUri.TrimEnd('/'),
                            ["capacity"] = 1000,
                            ["pricePerUnit"] = 1,
                        },
                    },
                },
            },
        };
        if (payments is not null)
        {
            topology["payments"] = payments;
        }

        return topology.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>One simulated RTX 4090 text-to-image orchestrator, replicated; time scale 1e-5; payments off.</summary>
    public static string ReplicatedTopology(int replicas) => new JsonObject
    {
        ["name"] = $"replicas-{replicas}",
        ["description"] = $"generated by the overhead experiment: one RTX 4090 text-to-image orchestrator replicated {replicas} times",
        ["timeScale"] = 0.00001,
        ["seed"] = 42,
        ["orchestrators"] = new JsonArray
        {
            new JsonObject
            {
                ["name"] = "o",
                ["stake"] = 1000,
                ["replicas"] = replicas,
                ["gpus"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["profile"] = "RTX 4090", ["pipeline"] = "text-to-image", ["model"] = "SG161222/RealVisXL_V4.0_Lightning",
                        ["capacity"] = 64, ["pricePerUnit"] = 1,
                    },
                },
            },
        },
    }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });

    private static async Task Measure(
        ExperimentSession s, Scenario scenario, string path, Uri target, Network network,
        double rate, int copies, TimeSpan tputDuration, string note, CancellationToken cancel)
    {
        var parameters = new Dictionary<string, string> { ["path"] = path, ["target"] = target.ToString(), ["note"] = note };
        var latency = s.Spec($"{path} latency", scenario, new InjectSimulation(rate, s.Duration), target, parameters: parameters);
        await s.RunAsync(latency, network, null, cancel);
        var throughput = s.Spec($"{path} throughput", scenario, new KeepConstantSimulation(copies, tputDuration), target, parameters: parameters) with
        {
            MaxRequests = 500_000, // a plain hop answers thousands per second; the run is bounded by time
        };
        await s.RunAsync(throughput, network, null, cancel);
    }

    public static (List<ReportSection> Sections, List<string> Conclusions) Analyse(IReadOnlyList<RunSummary> runs, IReadOnlyList<Running.RequestRecord>? records = null)
    {
        var latencyRuns = runs.Where(r => r.Label.EndsWith(" latency", StringComparison.Ordinal)).ToList();
        RunSummary? Throughput(string name) => runs.FirstOrDefault(r => r.Label == name + " throughput");
        var oneHop = latencyRuns.FirstOrDefault(r => r.Label == "1 YARP hop latency");
        var twoHops = latencyRuns.FirstOrDefault(r => r.Label == "2 YARP hops latency");
        var twoHopsTput = Throughput("2 YARP hops");
        var rows = new List<IReadOnlyList<string>>();
        var conclusions = new List<string>();
        foreach (var l in latencyRuns)
        {
            var name = l.Label[..^" latency".Length];
            var t = Throughput(name);
            // Each path is compared with the plain YARP path of the same hop count: the gateway path has two hops.
            var reference = name.StartsWith("gateway", StringComparison.Ordinal) ? twoHops : name == "1 YARP hop" ? null : oneHop;
            var addedP50 = reference is null ? double.NaN : l.Overall.Latency.P50 - reference.Overall.Latency.P50;
            var addedP99 = reference is null ? double.NaN : l.Overall.Latency.P99 - reference.Overall.Latency.P99;
            var vsTwoHops = t is null || twoHopsTput is null || twoHopsTput.Overall.OkRps <= 0 ? double.NaN : t.Overall.OkRps / twoHopsTput.Overall.OkRps;
            var tickets = records is null ? "–" : MeanFee(records, name);
            rows.Add(
            [
                name, reference is null ? "–" : reference.Label[..^" latency".Length], Fmt.Num(l.AchievedRps), Fmt.Pct(l.Overall.SuccessRate),
                Fmt.Num(l.Overall.Latency.P50), Fmt.Num(l.Overall.Latency.P99), Fmt.Num(addedP50), Fmt.Num(addedP99), Fmt.Num(l.SendLag.P99),
                t is null ? "–" : Fmt.Num(t.Overall.OkRps), Fmt.Pct(vsTwoHops), t is null ? "–" : Fmt.Pct(t.Overall.SuccessRate), tickets,
                l.GeneratorOverloaded ? "OVERLOADED: " + l.OverloadReason : "kept up",
            ]);
            if (reference is not null)
            {
                conclusions.Add(
                    $"{name}: adds {Fmt.Num(addedP50)} ms at p50 and {Fmt.Num(addedP99)} ms at p99 over {reference.Label[..^" latency".Length]} at {Fmt.Num(l.TargetRps)} requests/s; " +
                    $"maximum throughput {(t is null ? "–" : Fmt.Num(t.Overall.OkRps))} ok/s = {Fmt.Pct(vsTwoHops)} of two chained YARP hops.");
            }

            if (l.GeneratorOverloaded)
            {
                conclusions.Add($"{name}: the load generator was the bottleneck of the latency run ({l.OverloadReason}); its latency figures include that lag.");
            }
        }

        conclusions.Add("Load generator, proxies, gateway, orchestrators and runner share this machine's cores, so absolute figures are lower bounds of what dedicated hosts would do; compare the ratios, measured side by side in this one run.");
        return ([new ReportSection(
            "Gateway overhead",
            ["path", "compared with", "achieved rps", "success", "p50 ms", "p99 ms", "added p50 ms", "added p99 ms", "send lag p99 ms", "max throughput ok/s", "vs 2 YARP hops", "success under max load", "fee/job", "generator"],
            rows,
            "Latency: open-model inject at a fixed rate, from the intended send time; added = this path minus the plain YARP path of the same hop count " +
            "(the gateway path is gateway → orchestrator → runner, two hops). Send lag = actual − intended send time, reported apart. Maximum throughput: closed model (keep-constant copies), " +
            "successful requests per second. Fee/job: mean Livepeer-Fee of the throughput run; with payments on at one ticket per job the ticket EV equals it.")], conclusions);
    }

    private static string MeanFee(IReadOnlyList<Running.RequestRecord> records, string name)
    {
        var fees = records.Where(x => x.Run == name + " throughput" && x.IsOk && long.TryParse(x.FeeWei, out _)).Select(x => (double)long.Parse(x.FeeWei, CultureInfo.InvariantCulture)).ToList();
        return fees.Count == 0 ? "–" : Fmt.Num(fees.Average()) + " wei";
    }
}
