using System.CommandLine;
using System.Globalization;
using LivepeerAspire.LoadTests.Experiments;
using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Load;
using LivepeerAspire.LoadTests.Reports;
using LivepeerAspire.LoadTests.Running;
using LivepeerAspire.LoadTests.Stats;

namespace LivepeerAspire.LoadTests;

/// <summary>Options shared by <c>run</c> and the experiments, and their validation.</summary>
public sealed class CommonOptions
{
    public Option<string> Gateway { get; } = new("--gateway") { Description = "gateway URL (loopback only), e.g. http://127.0.0.1:9935" };
    public Option<int> Seed { get; } = new("--seed") { Description = "seed of the job sequence, arrival times and fault schedule", DefaultValueFactory = _ => 42 };
    public Option<string> Timeout { get; } = new("--timeout") { Description = "per-request timeout (e.g. 30s)", DefaultValueFactory = _ => "30s" };
    public Option<int> MaxRequests { get; } = new("--max-requests") { Description = "upper bound on requests per run", DefaultValueFactory = _ => 10_000 };
    public Option<int> MaxInFlight { get; } = new("--max-in-flight") { Description = "client-side cap; requests over it are recorded as not sent", DefaultValueFactory = _ => 2000 };
    public Option<double?> SloMs { get; } = new("--slo-ms") { Description = "goodput SLO: end-to-end latency bound in ms" };
    public Option<double?> SloTtftMs { get; } = new("--slo-ttft-ms") { Description = "goodput SLO: TTFT bound in ms (streamed jobs)" };
    public Option<double?> SloTpotMs { get; } = new("--slo-tpot-ms") { Description = "goodput SLO: TPOT bound in ms (streamed jobs)" };
    public Option<string[]> Models { get; } = new("--model") { Description = "model id per pipeline, pipeline=id (repeatable)", AllowMultipleArgumentsPerToken = false };
    public Option<string?> Out { get; } = new("--out") { Description = "report folder (default reports/<time>-<name>)" };
    public Option<bool> NoProgress { get; } = new("--no-progress") { Description = "no live progress display" };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Gateway, Seed, Timeout, MaxRequests, MaxInFlight, SloMs, SloTtftMs, SloTpotMs, Models, Out, NoProgress })
        {
            command.Add(o);
        }
    }

    public TimeSpan RequestTimeout(ParseResult p) => Duration(p.GetValue(Timeout)!, "--timeout");

    public Slo Slo(ParseResult p)
    {
        foreach (var (v, name) in new[] { (p.GetValue(SloMs), "--slo-ms"), (p.GetValue(SloTtftMs), "--slo-ttft-ms"), (p.GetValue(SloTpotMs), "--slo-tpot-ms") })
        {
            if (v is { } d && (!double.IsFinite(d) || d <= 0))
            {
                throw new UsageException($"bad {name} {d.ToString(CultureInfo.InvariantCulture)}: use a positive number of milliseconds");
            }
        }

        return new Slo(p.GetValue(SloMs), p.GetValue(SloTtftMs), p.GetValue(SloTpotMs));
    }

    public Dictionary<string, string> ModelMap(ParseResult p)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in p.GetValue(Models) ?? [])
        {
            var kv = entry.Split('=', 2);
            if (kv.Length != 2 || kv[0].Length == 0)
            {
                throw new UsageException($"bad --model '{entry}': write pipeline=model-id, e.g. --model llm=meta-llama/Meta-Llama-3.1-8B-Instruct");
            }

            map[kv[0]] = kv[1];
        }

        return map;
    }

    public void Validate(ParseResult p)
    {
        if (p.GetValue(MaxRequests) is < 1 or > 1_000_000)
        {
            throw new UsageException("bad --max-requests: use 1..1000000");
        }

        if (p.GetValue(MaxInFlight) < 1)
        {
            throw new UsageException("bad --max-in-flight: use at least 1");
        }
    }

    public string OutFolder(ParseResult p, string name, TimeProvider time) =>
        p.GetValue(Out) ?? Path.Combine("reports", $"{time.GetUtcNow():yyyyMMdd-HHmmss}-{name}");

    public static TimeSpan Duration(string text, string option, bool allowZero = false)
    {
        if (!LoadArguments.TryParseDuration(text, out var d) || d < TimeSpan.Zero || (!allowZero && d == TimeSpan.Zero))
        {
            throw new UsageException($"bad {option} '{text}': use a {(allowZero ? "non-negative" : "positive")} duration such as 30s, 500ms or 2m");
        }

        return d;
    }
}

/// <summary><c>run</c>: one scenario under one load simulation against a running gateway.</summary>
public static class RunCommand
{
    public static Command Create(CommonOptions common, Func<CliContext> context)
    {
        var scenario = new Option<string>("--scenario") { Description = $"scenario: {string.Join(", ", ScenarioCatalog.Names)}, or a mix like llm-stream=3,text-to-image=1", DefaultValueFactory = _ => "llm-stream" };
        var load = new Option<string>("--load") { Description = "load simulation: inject | poisson | ramping-inject | keep-constant", DefaultValueFactory = _ => "poisson" };
        var rate = new Option<double?>("--rate") { Description = "requests per second (inject, poisson; ramping-inject: the final rate)" };
        var fromRate = new Option<double?>("--from-rate") { Description = "ramping-inject: the starting rate (default 0)" };
        var copies = new Option<int?>("--copies") { Description = "keep-constant: number of copies (closed model)" };
        var duration = new Option<string>("--duration") { Description = "measured phase, e.g. 30s", DefaultValueFactory = _ => "30s" };
        var warmUp = new Option<string>("--warm-up") { Description = "warm-up before the measured phase, excluded from stats", DefaultValueFactory = _ => "5s" };
        var drain = new Option<string?>("--drain") { Description = "wait for in-flight requests after the last send (default: the timeout)" };
        var label = new Option<string?>("--label") { Description = "run label in the report (default: the scenario)" };
        var topology = new Option<string?>("--topology") { Description = "topology file the network runs (recorded in the header; its timeScale too)" };
        var timeScale = new Option<double?>("--time-scale") { Description = "simulator time scale, when not in the topology" };
        var compareWith = new Option<string?>("--compare-with") { Description = "an earlier summary.json (or report folder) to compare with" };
        var maxTokens = new Option<int>("--max-tokens") { Description = "max_tokens of LLM jobs", DefaultValueFactory = _ => 64 };
        var maxFailureRate = new Option<string>("--max-failure-rate") { Description = "exit non-zero when more than this share of measured requests failed, e.g. 5% or 0.05", DefaultValueFactory = _ => "5%" };

        var command = new Command("run", "Run one scenario against a running gateway and write a report.");
        foreach (var o in new Option[] { scenario, load, rate, fromRate, copies, duration, warmUp, drain, label, topology, timeScale, compareWith, maxTokens, maxFailureRate })
        {
            command.Add(o);
        }

        common.AddTo(command);
        command.SetAction(async (p, cancel) =>
        {
            var ctx = context();
            common.Validate(p);
            if (!ScenarioCatalog.TryResolve(p.GetValue(scenario)!, out var sc, out var error))
            {
                throw new UsageException(error);
            }

            if (p.GetValue(maxTokens) is < 1 or > 100_000)
            {
                throw new UsageException("bad --max-tokens: use 1..100000");
            }

            sc = sc! with { MaxTokens = p.GetValue(maxTokens) };
            var failureLimit = FailureRate(p.GetValue(maxFailureRate)!);
            var simulation = LoadArguments.Build(p.GetValue(load)!, p.GetValue(rate), p.GetValue(fromRate), p.GetValue(copies), CommonOptions.Duration(p.GetValue(duration)!, "--duration"));
            var warm = CommonOptions.Duration(p.GetValue(warmUp)!, "--warm-up", allowZero: true);
            var timeout = common.RequestTimeout(p);
            var drainValue = p.GetValue(drain) is { } dr ? CommonOptions.Duration(dr, "--drain", allowZero: true) : (TimeSpan?)null;
            var gateway = Targets.ParseLoopback(p.GetValue(common.Gateway));
            var slo = common.Slo(p);
            var models = common.ModelMap(p);
            var topologyFile = p.GetValue(topology);
            var topo = topologyFile is null ? null : TopologyInfo.Load(topologyFile);
            var baseline = p.GetValue(compareWith) is { } cw ? ReportFiles.ReadSummary(cw) : null;
            var outFolder = common.OutFolder(p, sc.Name, ctx.Time);

            using var http = ctx.CreateHttpClient();
            await Targets.EnsureReachableAsync(http, gateway, cancel);
            IReadOnlyDictionary<string, string> asked = models.Count > 0 ? models : topo?.Models ?? new Dictionary<string, string>();
            var view = await NetworkView.ReadAsync(http, gateway, cancel);
            var orchestratorNames = view?.OrchestratorNames ?? new Dictionary<string, string>();
            if (view is not null)
            {
                var adapted = view.Adapt(sc);
                if (!ReferenceEquals(adapted, sc))
                {
                    await ctx.Out.WriteLineAsync($"scenario {sc.Name}: {adapted.Description}");
                    sc = adapted;
                }

                asked = view.ResolveModels(sc, asked, gateway);
                await ctx.Out.WriteLineAsync("network: " + string.Join("; ", asked.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} → {m.Value}")));
            }

            var spec = new RunSpec
            {
                Label = p.GetValue(label) ?? sc.Name,
                Scenario = sc,
                Simulation = simulation,
                WarmUp = warm,
                Seed = p.GetValue(common.Seed),
                MaxRequests = p.GetValue(common.MaxRequests),
                Options = new RunOptions { Gateway = gateway, RequestTimeout = timeout, Drain = drainValue, MaxInFlight = p.GetValue(common.MaxInFlight) },
                Slo = slo,
                Models = asked,
                OrchestratorNames = orchestratorNames,
            };
            var executor = new RunExecutor(http, ctx.Time, ctx.ShowProgress && !p.GetValue(common.NoProgress), ctx.Out);
            var started = ctx.Time.GetUtcNow();
            var (summary, records) = await executor.ExecuteAsync(spec, cancel);
            var report = new Report
            {
                Header = new ReportHeader
                {
                    Title = $"Load test: {sc.Name}",
                    Command = "loadtests " + string.Join(' ', ctx.Args),
                    StartedUtc = started,
                    Gateway = gateway.ToString(),
                    Topology = topologyFile ?? "",
                    TimeScale = p.GetValue(timeScale) ?? topo?.TimeScale,
                    Seed = spec.Seed,
                    Versions = MachineInfo.Versions(),
                    Machine = MachineInfo.Machine(),
                },
                Runs = [summary],
                Sections = baseline is null ? [] : [ReportComparer.Compare(new Report { Header = new ReportHeader { Title = "", Command = "" }, Runs = [summary] }, baseline)],
            };
            ReportFiles.Write(outFolder, report, records);
            await ctx.Out.WriteLineAsync($"report: {Path.GetFullPath(outFolder)}");
            var failed = summary.Overall.Count == 0 ? 1 : summary.Overall.Failed / (double)summary.Overall.Count;
            if (failed > failureLimit)
            {
                await ctx.Out.WriteLineAsync($"FAILED: {NetworkView.Percent(failed)} of {summary.Overall.Count} measured requests failed; --max-failure-rate is {NetworkView.Percent(failureLimit)}");
                return 1;
            }

            return 0;
        });
        return command;
    }

    /// <summary>"5%", "5 %" or "0.05" → 0.05.</summary>
    public static double FailureRate(string text)
    {
        var t = text.Trim();
        var percent = t.EndsWith('%');
        if (!double.TryParse(t.TrimEnd('%').Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value) || value < 0 || (percent ? value > 100 : value > 1))
        {
            throw new UsageException($"bad --max-failure-rate '{text}': use a share such as 5% or 0.05");
        }

        return percent ? value / 100 : value;
    }
}
