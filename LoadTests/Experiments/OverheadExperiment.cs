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
        var runner = new Option<string?>("--runner") { Description = "the zero-latency runner the gateway's orchestrator uses (default: the topology's first text-to-image GPU on the simulator, else one started in-process)" };
        var paymentsOff = new Option<string?>("--payments-off") { Description = "gateway environment that turns payments off, KEY=VALUE;… (default Payments__Enabled=false); needs --topology", DefaultValueFactory = _ => "Payments__Enabled=false" };
        var command = new Command("overhead", "Gateway vs bare pass-through proxy to the same zero-latency runner: added latency and maximum throughput.");
        o.AddTo(command);
        foreach (var opt in new Option[] { rate, copies, throughputDuration, runner, paymentsOff })
        {
            command.Add(opt);
        }

        command.SetAction(async (p, cancel) =>
        {
            using var s = new ExperimentSession(o, p, context, "overhead");
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
            var settings = new List<(string Name, GatewaySetting Setting)> { ("payments on", GatewaySetting.Default) };
            if (s.ExternalGateway is null && p.GetValue(paymentsOff) is { Length: > 0 } off)
            {
                settings.Add(("payments off", GatewaySetting.Parse("payments-off:" + off, "--payments-off")));
            }
            else if (s.ExternalGateway is not null)
            {
                settings[0] = ("as configured", GatewaySetting.Default);
            }

            var lastGateway = s.ExternalGateway ?? new Uri("http://127.0.0.1/");
            LoopbackServer? ownRunner = null;
            LoopbackServer? proxy = null;
            try
            {
                for (var i = 0; i < settings.Count; i++)
                {
                    var (name, setting) = settings[i];
                    await using var network = await s.AcquireNetworkAsync(setting.Environment, cancel);
                    lastGateway = network.Gateway;
                    if (proxy is null)
                    {
                        var upstream = ResolveRunner(p.GetValue(runner), network, s.Topology);
                        string runnerNote;
                        if (upstream is null)
                        {
                            ownRunner = await ZeroLatencyRunner.StartAsync();
                            upstream = ownRunner.Url;
                            runnerNote = $"in-process zero-latency runner {upstream} (make sure the gateway's orchestrator uses the same one, or pass --runner)";
                        }
                        else
                        {
                            runnerNote = upstream.ToString();
                        }

                        proxy = await PassThroughProxy.StartAsync(upstream);
                        await s.Log.WriteLineAsync($"overhead: bare proxy {proxy.Url} → {runnerNote}");
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

    private static Uri? ResolveRunner(string? explicitRunner, Network network, TopologyInfo? topology)
    {
        if (explicitRunner is not null)
        {
            return Targets.ParseLoopback(explicitRunner, "--runner");
        }

        var gpu = topology?.Gpus.FirstOrDefault(g => g.Pipeline == "text-to-image");
        return network.Simulator is not null && gpu is not null ? new Uri(network.Simulator, $"gpus/{Uri.EscapeDataString(gpu.Id)}/") : null;
    }

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
