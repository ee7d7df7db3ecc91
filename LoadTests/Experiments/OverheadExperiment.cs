using System.CommandLine;
using LivepeerAspire.LoadTests.Experiments.Overhead;
using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Load;
using LivepeerAspire.LoadTests.Reports;
using LivepeerAspire.LoadTests.Stats;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>
/// <c>overhead</c>: what the gateway itself costs. The same load goes through a bare pass-through proxy and
/// through the gateway (payments on, and off when the experiment starts its own networks) to the same
/// zero-latency runner: added p50/p99 at a fixed open-model rate, and maximum throughput with a closed model.
/// </summary>
public static class OverheadExperiment
{
    public static Command Create(CliContext context)
    {
        var o = new ExperimentOptions();
        var rate = new Option<double>("--rate") { Description = "open-model rate for the latency comparison (requests/s)", DefaultValueFactory = _ => 100 };
        var copies = new Option<int>("--copies") { Description = "closed-model copies for the throughput run", DefaultValueFactory = _ => 16 };
        var throughputDuration = new Option<string>("--throughput-duration") { Description = "length of the throughput run", DefaultValueFactory = _ => "8s" };
        var runner = new Option<string?>("--runner") { Description = "the zero-latency runner behind the gateway (default: without --topology, one started in-process and put in a generated topology; with --topology, its first text-to-image GPU)" };
        var paymentsOff = new Option<string?>("--payments-off") { Description = "gateway environment that turns payments off, KEY=VALUE;… (then payments on and off are compared on two networks; not with --gateway)" };
        var command = new Command("overhead", "Gateway vs bare pass-through proxy to the same zero-latency runner: added latency and maximum throughput.");
        o.AddTo(command);
        foreach (var opt in new Option[] { rate, copies, throughputDuration, runner, paymentsOff })
        {
            command.Add(opt);
        }

        command.SetAction(async (p, cancel) =>
        {
            using var s = new ExperimentSession(o, p, context, "overhead", generatesTopology: true);
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
            var scenario = s.Scenario("text-to-image");
            var settings = new List<(string Name, GatewaySetting Setting)> { ("as configured", GatewaySetting.Default) };
            if (s.ExternalGateway is null && p.GetValue(paymentsOff) is { Length: > 0 } off)
            {
                settings[0] = ("payments on", GatewaySetting.Default);
                settings.Add(("payments off", GatewaySetting.Parse("payments-off:" + off, "--payments-off")));
            }

            var lastGateway = s.ExternalGateway ?? new Uri("http://127.0.0.1/");
            LoopbackServer? ownRunner = null;
            LoopbackServer? proxy = null;
            try
            {
                Uri? upstream = p.GetValue(runner) is { } explicitRunner ? Targets.ParseLoopback(explicitRunner, "--runner") : null;
                string runnerNote;
                if (upstream is null && (s.ExternalGateway is not null || s.Topology is null))
                {
                    ownRunner = await ZeroLatencyRunner.StartAsync();
                    upstream = ownRunner.Url;
                    runnerNote = $"in-process zero-latency runner {upstream}";
                    if (s.ExternalGateway is not null)
                    {
                        runnerNote += " (the running gateway's orchestrator must use the same runner; pass --runner otherwise)";
                    }
                    else
                    {
                        // No topology given: one orchestrator whose only GPU is the zero-latency runner, as an external runner.
                        var generated = Path.Combine(s.OutFolder, "overhead-topology.json");
                        Directory.CreateDirectory(s.OutFolder);
                        await File.WriteAllTextAsync(generated, GeneratedTopology(upstream), cancel);
                        s.UseTopology(generated);
                    }
                }
                else
                {
                    runnerNote = upstream?.ToString() ?? "the topology's first text-to-image GPU on the simulator";
                }

                for (var i = 0; i < settings.Count; i++)
                {
                    var (name, setting) = settings[i];
                    await using var network = await s.AcquireNetworkAsync(setting.Environment, cancel);
                    lastGateway = network.Gateway;
                    if (proxy is null)
                    {
                        upstream ??= ResolveRunner(network, s.Topology)
                            ?? throw new UsageException("cannot tell which runner the gateway's orchestrator uses: pass --runner URL");
                        proxy = await PassThroughProxy.StartAsync(upstream);
                        await s.Log.WriteLineAsync($"overhead: bare proxy {proxy.Url} → {upstream}");
                        await Measure(s, scenario, "bare proxy", "–", proxy.Url, network, r, n, tputDuration, runnerNote, cancel);
                    }

                    await Measure(s, scenario, "gateway", name, network.Gateway, network, r, n, tputDuration, setting.Describe(), cancel);
                }
            }
            finally
            {
                if (proxy is not null)
                {
                    await proxy.DisposeAsync();
                }

                if (ownRunner is not null)
                {
                    await ownRunner.DisposeAsync();
                }
            }

            var (sections, conclusions) = Analyse(s.Runs);
            await s.WriteReportAsync("Gateway overhead against a bare pass-through proxy", sections, conclusions, lastGateway);
            return 0;
        });
        return command;
    }

    private static Uri? ResolveRunner(Network network, TopologyInfo? topology)
    {
        var gpu = topology?.Gpus.FirstOrDefault(g => g.Pipeline == "text-to-image");
        if (gpu is null)
        {
            return null;
        }

        if (gpu.Url is { } external)
        {
            return Targets.ParseLoopback(external, "the topology's runner url");
        }

        return network.Simulator is not null && gpu.InSimulator ? new Uri(network.Simulator, $"gpus/{Uri.EscapeDataString(gpu.Id)}/") : null;
    }

    /// <summary>One orchestrator with room for any concurrency whose text-to-image GPU is the external zero-latency runner.</summary>
    public static string GeneratedTopology(Uri runner) => new System.Text.Json.Nodes.JsonObject
    {
        ["name"] = "overhead",
        ["description"] = "generated by the overhead experiment: one orchestrator in front of a zero-latency runner",
        ["timeScale"] = 1,
        ["seed"] = 42,
        ["orchestrators"] = new System.Text.Json.Nodes.JsonArray
        {
            new System.Text.Json.Nodes.JsonObject
            {
                ["name"] = "zero",
                ["stake"] = 1000,
                ["gpus"] = new System.Text.Json.Nodes.JsonArray
                {
                    new System.Text.Json.Nodes.JsonObject
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
    }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });

    private static async Task Measure(
        ExperimentSession s, Scenario scenario, string path, string payments, Uri target, Network network,
        double rate, int copies, TimeSpan tputDuration, string note, CancellationToken cancel)
    {
        var parameters = new Dictionary<string, string> { ["path"] = path, ["payments"] = payments, ["target"] = target.ToString(), ["note"] = note };
        var latency = s.Spec($"{Name(path, payments)} latency", scenario, new InjectSimulation(rate, s.Duration), target, parameters: parameters);
        await s.RunAsync(latency, network, null, cancel);
        var throughput = s.Spec($"{Name(path, payments)} throughput", scenario, new KeepConstantSimulation(copies, tputDuration), target, parameters: parameters) with
        {
            MaxRequests = 200_000, // a fast bare proxy answers thousands per second; the run is bounded by time
        };
        await s.RunAsync(throughput, network, null, cancel);
    }

    private static string Name(string path, string payments) => payments == "–" ? path : $"{path} ({payments})";

    public static (List<ReportSection> Sections, List<string> Conclusions) Analyse(IReadOnlyList<RunSummary> runs)
    {
        var latencyRuns = runs.Where(r => r.Label.EndsWith(" latency", StringComparison.Ordinal)).ToList();
        var proxy = latencyRuns.FirstOrDefault(r => r.Label.StartsWith("bare proxy", StringComparison.Ordinal));
        var proxyTput = runs.FirstOrDefault(r => r.Label == "bare proxy throughput");
        var rows = new List<IReadOnlyList<string>>();
        var conclusions = new List<string>();
        foreach (var l in latencyRuns)
        {
            var name = l.Label[..^" latency".Length];
            var t = runs.FirstOrDefault(r => r.Label == name + " throughput");
            var addedP50 = proxy is null || l == proxy ? double.NaN : l.Overall.Latency.P50 - proxy.Overall.Latency.P50;
            var addedP99 = proxy is null || l == proxy ? double.NaN : l.Overall.Latency.P99 - proxy.Overall.Latency.P99;
            rows.Add(
            [
                name, Fmt.Num(l.AchievedRps), Fmt.Pct(l.Overall.SuccessRate), Fmt.Num(l.Overall.Latency.P50), Fmt.Num(l.Overall.Latency.P99),
                Fmt.Num(addedP50), Fmt.Num(addedP99), t is null ? "–" : Fmt.Num(t.Overall.OkRps), t is null ? "–" : Fmt.Pct(t.Overall.SuccessRate),
                l.GeneratorOverloaded ? "OVERLOADED" : "kept up",
            ]);
            if (proxy is not null && l != proxy)
            {
                conclusions.Add(
                    $"{name}: adds {Fmt.Num(addedP50)} ms at p50 and {Fmt.Num(addedP99)} ms at p99 over the bare proxy at {Fmt.Num(l.TargetRps)} requests/s; " +
                    $"maximum throughput {(t is null ? "–" : Fmt.Num(t.Overall.OkRps))} ok/s vs {(proxyTput is null ? "–" : Fmt.Num(proxyTput.Overall.OkRps))} ok/s through the proxy.");
            }
        }

        conclusions.Add("Load generator, proxy, gateway, orchestrator and runner share this machine's cores, so absolute figures are lower bounds of what dedicated hosts would do; the differences are the point.");
        return ([new ReportSection(
            "Gateway overhead",
            ["path", "achieved rps", "success", "p50 ms", "p99 ms", "added p50 ms", "added p99 ms", "max throughput ok/s", "success under max load", "generator"],
            rows,
            "Latency: open-model inject at a fixed rate; maximum throughput: closed model (keep-constant copies), successful requests per second.")], conclusions);
    }
}
