using System.Diagnostics;
using LivepeerAspire.LoadTests.Experiments;
using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Reports;
using LivepeerAspire.LoadTests.Running;
using LivepeerAspire.LoadTests.Stats;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LivepeerAspire.LoadTests.Tests;

public sealed class ExperimentTests
{
    private const string Topology = """
        {
          "name": "i2v-test",
          "timeScale": 0.01,
          "seed": 42,
          "gateway": { "port": 9935, "strategy": "adaptive", "environment": { "Existing__Key": "1" } },
          "orchestrators": [
            { "name": "fast", "replicas": 3, "gpus": [ { "profile": "RTX 4090", "pipeline": "image-to-video", "model": "stabilityai/stable-video-diffusion-img2vid-xt-1-1" } ] },
            { "name": "slow", "replicas": 3, "gpus": [ { "profile": "RTX 4060 8GB", "pipeline": "image-to-video", "model": "stabilityai/stable-video-diffusion-img2vid-xt-1-1", "cpuOffload": true } ] },
            { "name": "chat", "gpus": [ { "profile": "RTX 3090", "pipeline": "llm", "model": "meta-llama/Meta-Llama-3.1-8B-Instruct", "count": 2, "parallelism": 4 },
                                        { "pipeline": "text-to-image", "runner": "external", "url": "http://127.0.0.1:8000" } ] }
          ]
        }
        """;

    private static string TempFile(string content, string ext = ".json")
    {
        var path = Path.Combine(Path.GetTempPath(), "lt-" + Guid.NewGuid().ToString("N") + ext);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Topology_gives_time_scale_gpus_models_and_fleet_capacity()
    {
        var file = TempFile(Topology);
        try
        {
            var t = TopologyInfo.Load(file);

            t.TimeScale.ShouldBe(0.01);
            t.Gpus.Count.ShouldBe(9);
            t.Gpus.Where(g => g.Pipeline == "image-to-video").Select(g => g.Id)
                .ShouldBe(["fast-1-gpu0", "fast-2-gpu0", "fast-3-gpu0", "slow-1-gpu0", "slow-2-gpu0", "slow-3-gpu0"]);
            t.Gpus.Where(g => g.Orchestrator == "chat").Select(g => g.Id).ShouldBe(["chat-gpu0", "chat-gpu1", "chat-gpu2"]);
            t.Gpus.Single(g => g.Id == "chat-gpu1").Parallelism.ShouldBe(4);
            t.Gpus.Single(g => g.Id == "chat-gpu2").InSimulator.ShouldBeFalse();
            t.Gpus.Single(g => g.Id == "chat-gpu2").Url.ShouldBe("http://127.0.0.1:8000");
            t.Models["llm"].ShouldBe("meta-llama/Meta-Llama-3.1-8B-Instruct");
            t.SimulatorPort.ShouldBeNull();

            // 3 × 1/(50 s × 0.01) + 3 × 1/(517 s × 0.01) jobs per scaled second.
            CapacityModel.FleetCapacity(t, JobKind.ImageToVideo).ShouldBe((3 / 0.5) + (3 / 5.17), 1e-9);
            CapacityModel.FleetCapacity(t, JobKind.TextToImage).ShouldBe(0); // an external runner has no profile
            CapacityModel.FleetCapacity(t, JobKind.Llm).ShouldBe(2 * 4 / (0.6 * 0.01), 1e-9);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Topology_variant_fixes_the_simulator_port_and_adds_gateway_settings()
    {
        var file = TempFile(Topology);
        var variant = Path.ChangeExtension(file, ".variant.json");
        try
        {
            TopologyInfo.WriteVariant(file, variant, 45678, new Dictionary<string, string> { ["Timeouts__Default"] = "00:00:20" }, "round-robin");

            var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(variant))!;
            root["simulator"]!["port"]!.GetValue<int>().ShouldBe(45678);
            root["gateway"]!["strategy"]!.GetValue<string>().ShouldBe("round-robin");
            root["gateway"]!["environment"]!["Timeouts__Default"]!.GetValue<string>().ShouldBe("00:00:20");
            root["gateway"]!["environment"]!["Existing__Key"]!.GetValue<string>().ShouldBe("1");
            TopologyInfo.Load(variant).Gpus.Count.ShouldBe(9);
        }
        finally
        {
            File.Delete(file);
            File.Delete(variant);
        }
    }

    [Fact]
    public void Fault_schedules_are_deterministic_per_seed_and_hit_a_serving_gpu()
    {
        string[] gpus = ["o1-gpu0", "o2-gpu0", "o3-gpu0", "o3-gpu1"];
        var a = FaultSchedule.Create("hang", gpus, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(40), 7);
        var b = FaultSchedule.Create("hang", gpus.Reverse().ToArray(), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(40), 7);

        a.Single().GpuId.ShouldBe(b.Single().GpuId);
        a.Single().At.ShouldBe(b.Single().At);
        a.Single().At.ShouldBeInRange(TimeSpan.FromSeconds(18), TimeSpan.FromSeconds(22));
        gpus.ShouldContain(a.Single().GpuId);
        var victims = Enumerable.Range(0, 40).Select(seed => FaultSchedule.Create("crash", gpus, TimeSpan.Zero, TimeSpan.FromSeconds(10), seed).Single().GpuId).Distinct();
        victims.Count().ShouldBeGreaterThan(1);
        FaultSchedule.Create("none", gpus, TimeSpan.Zero, TimeSpan.FromSeconds(1), 1).ShouldBeEmpty();
        Should.Throw<UsageException>(() => FaultSchedule.Create("melt", gpus, TimeSpan.Zero, TimeSpan.FromSeconds(1), 1));
        Should.Throw<UsageException>(() => FaultSchedule.Create("hang", [], TimeSpan.Zero, TimeSpan.FromSeconds(1), 1));
    }

    [Fact]
    public void Prometheus_sums_match_labels_and_skip_comments()
    {
        const string text = "# HELP gw_fees_paid_wei total\n# TYPE gw_fees_paid_wei counter\ngw_fees_paid_wei{orch=\"a\"} 100\ngw_fees_paid_wei{orch=\"b\"} 250\ngw_requests_total 9\n";

        var sums = PrometheusText.Sums(text, n => n.Contains("fee", StringComparison.Ordinal));

        sums.ShouldBe(new Dictionary<string, double> { ["gw_fees_paid_wei"] = 350 });
    }

    [Fact]
    public void Gateway_settings_parse_and_refuse_garbage()
    {
        var s = GatewaySetting.Parse("tight:Timeouts__DefaultSeconds=20;Timeouts__FirstTokenSeconds=2", "--timeout-setting");

        s.Name.ShouldBe("tight");
        s.Environment["Timeouts__FirstTokenSeconds"].ShouldBe("2");
        Should.Throw<UsageException>(() => GatewaySetting.Parse("Timeouts__X=1", "--timeout-setting"));
        Should.Throw<UsageException>(() => GatewaySetting.Parse("t:novalue", "--timeout-setting"));
    }

    [Fact]
    public void Failover_cost_counts_wasted_gpu_jobs_attempts_and_fees()
    {
        RequestRecord[] records =
        [
            new() { Job = "image-to-video", Phase = "measure", Outcome = Outcomes.Ok, Attempts = 1, FeeWei = "10" },
            new() { Job = "image-to-video", Phase = "measure", Outcome = Outcomes.Ok, Attempts = 3, FeeWei = "10" },
            new() { Job = "image-to-video", Phase = "measure", Outcome = Outcomes.Timeout, Attempts = 2, FeeWei = "7" },
        ];

        var cost = FailoverExperiment.Cost(
            "d / hang", "d", "hang", [new FaultEvent(TimeSpan.Zero, "o1-gpu0", "hang", new { })], records,
            new() { ["o1-gpu0"] = 5, ["o2-gpu0"] = 1 }, new() { ["o1-gpu0"] = 7, ["o2-gpu0"] = 4 },
            new() { ["fees"] = 100 }, new() { ["fees"] = 150 }, meanServiceSeconds: 50);

        cost.FailedOver.ShouldBe(2);
        cost.FailedAttempts.ShouldBe(3);
        cost.WastedGpuJobs.ShouldBe(3);      // 5 jobs served, 2 received
        cost.WastedGpuSeconds.ShouldBe(150); // 3 × 50 s
        cost.FeesOnFailures.ShouldBe(new System.Numerics.BigInteger(7));
        cost.GatewayPaymentDelta.ShouldBe(50);
        cost.FeesOnSuccesses.ShouldBe(new System.Numerics.BigInteger(20));
        cost.Victim.ShouldBe("o1-gpu0");
    }

    private static RunSummary Summary(string label, string strategy, double[] latencies, int failures = 0)
    {
        ScenarioCatalog.TryResolve("image-to-video", out var scenario, out _);
        var plan = JobPlan.Create(scenario!, new Load.PoissonSimulation(1, TimeSpan.FromSeconds(latencies.Length + failures)), TimeSpan.Zero, 1000, 1);
        var records = latencies.Select((l, i) => new RequestRecord { Index = i, Job = "image-to-video", Phase = "measure", Outcome = Outcomes.Ok, IntendedMs = i, SentMs = i, EndMs = i + l })
            .Concat(Enumerable.Range(0, failures).Select(i => new RequestRecord { Index = 1000 + i, Job = "image-to-video", Phase = "measure", Outcome = Outcomes.Timeout, EndMs = 1 }))
            .ToList();
        return SummaryBuilder.Build(label, scenario!, plan, records, Slo.None, TimeSpan.FromSeconds(1), new Dictionary<string, string> { ["strategy"] = strategy });
    }

    [Fact]
    public void Selection_conclusions_name_the_best_tail_and_admit_ties()
    {
        var fast = Enumerable.Repeat(100.0, 20).ToArray();
        var slow = Enumerable.Repeat(400.0, 20).ToArray();
        RunSummary[] runs =
        [
            Summary(SelectionExperiment.Label("round-robin", 0.3), "round-robin", slow),
            Summary(SelectionExperiment.Label("adaptive", 0.3), "adaptive", fast),
            Summary(SelectionExperiment.Label("round-robin", 0.9), "round-robin", fast),
            Summary(SelectionExperiment.Label("adaptive", 0.9), "adaptive", fast),
        ];

        var (sections, conclusions) = SelectionExperiment.Analyse(runs, ["round-robin", "adaptive"], [0.3, 0.9], 0.01);

        conclusions[0].ShouldStartWith("At 30 % of fleet capacity, adaptive had the best tail: p95 100 ms");
        conclusions[0].ShouldContain("round-robin p95 400 ms (4.00× the best)");
        conclusions[1].ShouldContain("no clear winner");
        sections[0].Rows.Single(r => r[0] == "round-robin").ShouldBe(["round-robin", "400", "100"]);
    }

    [Fact]
    public void Selection_prefers_a_strategy_that_succeeds_over_a_faster_one_that_times_out()
    {
        RunSummary[] runs =
        [
            Summary(SelectionExperiment.Label("a", 0.5), "a", Enumerable.Repeat(10.0, 10).ToArray(), failures: 5),
            Summary(SelectionExperiment.Label("b", 0.5), "b", Enumerable.Repeat(300.0, 15).ToArray()),
        ];

        var (_, conclusions) = SelectionExperiment.Analyse(runs, ["a", "b"], [0.5], null);

        conclusions[0].ShouldContain("b had the best tail");
    }

    private static Task<(int Code, string Out, string Err)> Run(params string[] args) => Run(null, args);

    private static async Task<(int Code, string Out, string Err)> Run(INetworkLauncher? launcher, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = launcher is null
            ? new CliContext { Args = args, Out = stdout, Error = stderr, ShowProgress = false }
            : new CliContext { Args = args, Out = stdout, Error = stderr, ShowProgress = false, Networks = launcher };
        var code = await LoadTestCli.RunAsync(args, context);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("needs --topology FILE", "selection", "--capacity", "1")]
    [InlineData("unknown fault schedule 'melt'", "failover", "--gateway", "http://127.0.0.1:9", "--faults", "melt", "--capacity", "1")]
    [InlineData("bad --loads value 'lots'", "selection", "--gateway", "http://127.0.0.1:9", "--loads", "lots", "--capacity", "1")]
    [InlineData("cannot compute the fleet capacity for text-to-image", "selection", "--topology", "TOPOLOGY", "--scenario", "text-to-image")]
    [InlineData("bad --seeds '4,x': 'x' is not an integer", "selection", "--gateway", "http://127.0.0.1:9", "--capacity", "1", "--seeds", "4,x")]
    [InlineData("bad --seeds '4,7,4': seed 4 is given twice", "selection", "--gateway", "http://127.0.0.1:9", "--capacity", "1", "--seeds", "4,7,4")]
    [InlineData("bad --seeds '': empty value", "selection", "--gateway", "http://127.0.0.1:9", "--capacity", "1", "--seeds", "")]
    [InlineData("give either --seed N (one arrival sequence) or --seeds A,B,C", "selection", "--gateway", "http://127.0.0.1:9", "--capacity", "1", "--seed", "7", "--seeds", "4,5")]
    [InlineData("give either --seed N", "selection", "--gateway", "http://127.0.0.1:9", "--capacity", "1", "--seeds", "4,5", "--seed", "42")]
    public async Task Experiments_refuse_bad_input_with_one_line(string message, params string[] args)
    {
        var file = TempFile(Topology);
        try
        {
            var (code, _, err) = await Run(args.Select(a => a == "TOPOLOGY" ? file : a).ToArray());

            code.ShouldBe(2);
            err.ShouldContain(message);
            err.TrimEnd().Split('\n').Length.ShouldBe(1);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Selection_starts_a_network_per_strategy_and_stops_it()
    {
        var strategies = new List<string>();
        await using var gateway = await StrategyRecordingGatewayAsync(strategies);
        var launcher = new FakeLauncher(gateway.Url);
        var topology = TempFile(Topology);
        var outDir = Path.Combine(Path.GetTempPath(), "lt-sel-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, err) = await Run(launcher, "selection", "--topology", topology, "--strategies", "round-robin,adaptive",
                "--loads", "0.5", "--capacity", "20", "--duration", "1s", "--warm-up", "0s", "--pause", "0s", "--out", outDir);

            code.ShouldBe(0, err);
            strategies.ShouldBe(["round-robin", "adaptive"]);
            output.ShouldContain("network: gateway");
            var summary = ReportFiles.ReadSummary(outDir);
            summary.Runs.Select(r => r.Label).ShouldBe(["round-robin @ 50%", "adaptive @ 50%"]);
            summary.Runs.ShouldAllBe(r => r.Overall.Ok == r.Overall.Count && r.Overall.Count > 0);
            summary.Header.TimeScale.ShouldBe(0.01);
            summary.Conclusions.ShouldNotBeEmpty();
            launcher.Topologies.Count.ShouldBe(2);
            launcher.Topologies.ShouldAllBe(t => t.Contains("\"strategy\""));
            launcher.Stopped.ShouldBe(2);
        }
        finally
        {
            DeleteAll(outDir, [topology]);
        }
    }

    [Fact]
    public async Task Selection_with_seeds_runs_every_strategy_per_seed_on_fresh_networks_and_pools_them()
    {
        var strategies = new List<string>();
        await using var gateway = await StrategyRecordingGatewayAsync(strategies);
        var launcher = new FakeLauncher(gateway.Url);
        var topology = TempFile(Topology);
        var outDir = Path.Combine(Path.GetTempPath(), "lt-seeds-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, _, err) = await Run(launcher, "selection", "--topology", topology, "--strategies", "round-robin,adaptive",
                "--loads", "0.5", "--capacity", "20", "--duration", "1s", "--warm-up", "0s", "--pause", "0s", "--seeds", "42,7", "--out", outDir);

            code.ShouldBe(0, err);
            strategies.ShouldBe(["round-robin", "adaptive", "round-robin", "adaptive"]);
            launcher.Topologies.Count.ShouldBe(4);
            launcher.Stopped.ShouldBe(4);
            var summary = ReportFiles.ReadSummary(outDir);
            summary.Runs.Select(r => r.Label).ShouldBe(["round-robin @ 50% seed 42", "adaptive @ 50% seed 42", "round-robin @ 50% seed 7", "adaptive @ 50% seed 7"]);
            summary.Runs.Select(r => r.Seed).ShouldBe([42, 42, 7, 7]);
            summary.Header.Seeds.ShouldBe([42, 7]);
            summary.Sections.ShouldContain(s => s.Title == "p95 latency (ms) by strategy and load, pooled over seeds");
            summary.Sections.Single(s => s.Title.StartsWith("criterion", StringComparison.Ordinal)).Rows.Select(r => r[0]).ShouldBe(["pooled", "seed 42", "seed 7"]);
            var csvRuns = File.ReadAllLines(Path.Combine(outDir, "results.csv")).Skip(1).Select(l => l.Split(',')[0]).Distinct().ToList();
            csvRuns.ShouldBe(summary.Runs.Select(r => r.Label).ToList());
            var md = File.ReadAllText(Path.Combine(outDir, "report.md"));
            md.ShouldContain("| seeds | 42, 7 (one arrival sequence each");
            md.ShouldContain("## Run: adaptive @ 50% seed 7");
            md.ShouldContain("pooled over 2 seeds");
        }
        finally
        {
            DeleteAll(outDir, [topology]);
        }
    }

    [Fact]
    public async Task A_network_the_apphost_refuses_fails_the_experiment_with_the_topology_reason()
    {
        var topology = TempFile(Topology.Replace("\"name\": \"chat\",", "\"name\": \"chat\", \"colour\": \"red\","));
        try
        {
            var (code, _, err) = await Run("deadline", "--topology", topology, "--duration", "1s", "--capacity", "1");

            code.ShouldBe(4, err);
            err.ShouldContain("did not start");
            err.ShouldContain("$.orchestrators[2].colour: unknown member");
        }
        finally
        {
            File.Delete(topology);
        }
    }

    [Fact]
    public async Task Capacity_probe_measures_each_simulated_gpu_with_the_scenario_request()
    {
        var hits = new System.Collections.Concurrent.ConcurrentBag<string>();
        await using var simulator = await FakeGateway.StartAsync(app => app.MapPost("/gpus/{id}/image-to-video", async (string id, HttpContext ctx) =>
        {
            var form = await ctx.Request.ReadFormAsync();
            form.Files["image"].ShouldNotBeNull();
            hits.Add(id);
            await Task.Delay(id.StartsWith("fast", StringComparison.Ordinal) ? 50 : 250);
            return Results.Json(new { images = Array.Empty<object>() });
        }));
        var file = TempFile(Topology);
        try
        {
            var gpus = TopologyInfo.Load(file).Gpus.Where(g => g.Pipeline == "image-to-video").ToList();
            ScenarioCatalog.TryResolve("image-to-video", out var scenario, out _);
            using var http = RunExecutor.CreateHttpClient();

            var times = await CapacityProbe.MeasureAsync(http, simulator.Url, gpus, scenario!, JobKind.ImageToVideo, 1, new Dictionary<string, string>(), TimeSpan.FromSeconds(10), CancellationToken.None);

            hits.Count.ShouldBe(12); // two per GPU
            times.Count.ShouldBe(6);
            times.Where(t => t.Gpu.Profile == "RTX 4090").ShouldAllBe(t => t.MeasuredMs >= 45);
            times.Where(t => t.Gpu.Profile == "RTX 4060 8GB").ShouldAllBe(t => t.MeasuredMs >= 240);
            times.Single(t => t.Gpu.Id == "slow-1-gpu0").ExpectedRealSeconds.ShouldBe(517);
            // Task.Delay may return a few ms early, so the bound follows the floors asserted above, not the nominal 50/250 ms.
            CapacityProbe.Capacity(times).ShouldBeInRange(20, 3 / 0.045 + 3 / 0.240);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Overhead_measures_yarp_hops_nginx_three_payment_settings_and_the_network_size_sweep_in_one_report()
    {
        await using var gateway = await FakeGateway.InstantAsync();
        var launcher = new FakeLauncher(gateway.Url);
        var outDir = Path.Combine(Path.GetTempPath(), "lt-ovh-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, err) = await Run(launcher, "overhead", "--rate", "20", "--duration", "1s", "--warm-up", "0s",
                "--throughput-duration", "1s", "--copies", "2", "--pause", "0s", "--out", outDir, "--replicas", "1", "--sweep-duration", "1s");

            code.ShouldBe(0, err);
            output.ShouldContain("overhead: YARP hop");
            var topologies = launcher.Topologies;
            topologies.Count.ShouldBe(4); // three payment settings and one sweep network
            topologies[0].ShouldContain("\"runner\": \"external\"");
            topologies[0].ShouldNotContain("payments");
            topologies[1].ShouldContain("\"payments\": {}");
            topologies[2].ShouldContain("\"ticketEV\": \"1000\""); // the stand-in charges 1000 wei per job
            topologies[3].ShouldContain("\"replicas\": 1");
            var summary = ReportFiles.ReadSummary(outDir);
            var nginx = LivepeerAspire.LoadTests.Experiments.Overhead.NginxHop.Binary is null ? Array.Empty<string>() : ["nginx latency", "nginx throughput"];
            summary.Runs.Select(r => r.Label).ShouldBe(
            [
                "1 YARP hop latency", "1 YARP hop throughput", "2 YARP hops latency", "2 YARP hops throughput", .. nginx,
                "gateway (payments off) latency", "gateway (payments off) throughput",
                "gateway (payments on, default ticket EV) latency", "gateway (payments on, default ticket EV) throughput",
                "gateway (payments on, 1 ticket/job) latency", "gateway (payments on, 1 ticket/job) throughput",
                "sweep: 1 orchestrator",
            ]);
            summary.Runs.ShouldAllBe(r => r.Overall.Ok == r.Overall.Count && r.Overall.Count > 0);
            summary.Runs.ShouldAllBe(r => r.Overall.Latency.Min >= 0);
            var overhead = summary.Sections.First(x => x.Title == "Gateway overhead");
            overhead.Rows.Count.ShouldBe(5 + (nginx.Length / 2));
            overhead.Rows.Single(r => r[0] == "gateway (payments off)")[1].ShouldBe("2 YARP hops");
            summary.Sections.Single(x => x.Title == "Cost that grows with the network").Rows.Single()[0].ShouldBe("1");
            launcher.Stopped.ShouldBe(launcher.Topologies.Count);
        }
        finally
        {
            DeleteAll(outDir, []);
        }
    }

    /// <summary>A stand-in gateway that records every strategy the experiment switches to and answers image-to-video.</summary>
    private static Task<FakeGateway> StrategyRecordingGatewayAsync(List<string> strategies) => FakeGateway.StartAsync(app =>
    {
        app.MapPut("/admin/selection", async (HttpContext ctx) =>
        {
            using var doc = await System.Text.Json.JsonDocument.ParseAsync(ctx.Request.Body);
            lock (strategies)
            {
                strategies.Add(doc.RootElement.GetProperty("strategy").GetString()!);
            }

            return Results.Json(new { strategy = "ok" });
        });
        app.MapPost("/image-to-video", (HttpContext ctx) =>
        {
            FakeGateway.SetLivepeerHeaders(ctx, "http://127.0.0.1:8935", 1, "5");
            return Results.Json(new { images = Array.Empty<object>() });
        });
    });

    private static void DeleteAll(string directory, string[] files)
    {
        foreach (var file in files)
        {
            File.Delete(file);
        }

        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, true);
        }
    }
}
