using System.CommandLine;
using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Load;
using LivepeerAspire.LoadTests.Reports;
using LivepeerAspire.LoadTests.Running;
using LivepeerAspire.LoadTests.Stats;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>A network an experiment talks to: one it started (and will kill) or one that was already running.</summary>
public sealed class Network(Uri gateway, Uri? simulator, IStartedNetwork? host) : IAsyncDisposable
{
    public Uri Gateway { get; } = gateway;
    public Uri? Simulator { get; } = simulator;
    public bool Owned => host is not null;

    /// <summary>The Aspire network the experiment started (processes, run directory), or null for a running one.</summary>
    public LivepeerAspire.Networks.LivepeerNetwork? Aspire => host?.Aspire;

    public ValueTask DisposeAsync() => host?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>
/// The parts every experiment shares: parsed options, starting networks, running specs with fault schedules,
/// and writing one report with every run side by side.
/// </summary>
public sealed class ExperimentSession : IDisposable
{
    private readonly ExperimentOptions o;
    private readonly ParseResult p;
    private readonly CliContext ctx;
    private readonly List<RunSummary> runs = [];
    private readonly List<RequestRecord> records = [];
    private readonly DateTimeOffset started;
    private int networksStarted;
    private readonly HashSet<string> primed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> explicitModels;
    private double? capacity;
    private string capacityNote = "";
    private List<IReadOnlyList<string>> capacityRows = [];

    public ExperimentSession(ExperimentOptions options, ParseResult parse, CliContext context, string name, bool generatesTopology = false)
    {
        o = options;
        p = parse;
        ctx = context;
        Name = name;
        o.Common.Validate(p);
        started = ctx.Time.GetUtcNow();
        TopologyFile = p.GetValue(o.Topology);
        Topology = TopologyFile is null ? null : TopologyInfo.Load(TopologyFile);
        ExternalGateway = p.GetValue(o.Common.Gateway) is { } g ? Targets.ParseLoopback(g) : null;
        if (ExternalGateway is null && Topology is null && !generatesTopology)
        {
            throw new UsageException($"{name} needs --topology FILE (to start its own network) or --gateway URL (a running network)");
        }

        SimulatorOverride = p.GetValue(o.Simulator) is { } s ? Targets.ParseLoopback(s, "--simulator") : null;
        Duration = CommonOptions.Duration(p.GetValue(o.Duration)!, "--duration");
        WarmUp = CommonOptions.Duration(p.GetValue(o.WarmUp)!, "--warm-up", allowZero: true);
        PauseBetweenRuns = CommonOptions.Duration(p.GetValue(o.Pause)!, "--pause", allowZero: true);
        RequestTimeout = o.Common.RequestTimeout(p);
        StartupTimeout = CommonOptions.Duration(p.GetValue(o.StartupTimeout)!, "--startup-timeout");
        Seed = p.GetValue(o.Common.Seed);
        Seeds = [Seed];
        TimeScale = p.GetValue(o.TimeScale) ?? Topology?.TimeScale;
        explicitModels = o.Common.ModelMap(p);
        Http = ctx.CreateHttpClient();
        Admin = new NetworkAdmin(Http);
        OutFolder = o.Common.OutFolder(p, name, ctx.Time);
    }

    public string Name { get; }
    public string? TopologyFile { get; private set; }
    public TopologyInfo? Topology { get; private set; }
    public Uri? ExternalGateway { get; }
    public Uri? SimulatorOverride { get; }
    public TimeSpan Duration { get; }
    public TimeSpan WarmUp { get; }
    public TimeSpan PauseBetweenRuns { get; }
    public TimeSpan RequestTimeout { get; }
    public TimeSpan StartupTimeout { get; }
    /// <summary>The seed of specs that name none, of the capacity probe and of the report header (the first of <see cref="Seeds"/>).</summary>
    public int Seed { get; private set; }

    /// <summary>Every arrival sequence the experiment runs; one unless it called <see cref="UseSeeds"/>.</summary>
    public IReadOnlyList<int> Seeds { get; private set; }
    public double? TimeScale { get; }
    public IReadOnlyDictionary<string, string> Models => explicitModels.Count > 0 ? explicitModels : Topology?.Models ?? new Dictionary<string, string>();
    public HttpClient Http { get; }
    public NetworkAdmin Admin { get; }
    public string OutFolder { get; }
    public TextWriter Log => ctx.Out;
    public IReadOnlyList<RunSummary> Runs => runs;

    /// <summary>Every request of every measured run (warm-up included, <see cref="RequestRecord.Run"/> = the run's label).</summary>
    public IReadOnlyList<RequestRecord> Records => records;

    /// <summary>Several arrival sequences (<c>--seeds</c>): the first one seeds the capacity probe and the header.</summary>
    public void UseSeeds(IReadOnlyList<int> seeds)
    {
        if (seeds.Count == 0)
        {
            throw new ArgumentException("at least one seed", nameof(seeds));
        }

        Seeds = seeds;
        Seed = seeds[0];
    }

    /// <summary>Uses a topology the experiment wrote itself (the overhead experiment's external zero-latency runner).</summary>
    public void UseTopology(string file)
    {
        TopologyFile = file;
        Topology = TopologyInfo.Load(file);
    }

    /// <summary>--capacity, when given (jobs per second of the scenario's main kind).</summary>
    public double? CapacityOverride => p.GetValue(o.Capacity);

    public Scenario Scenario(string fallback) => o.ResolveScenario(p, Topology, fallback);

    /// <summary>
    /// Fleet capacity for the scenario's main job kind, in jobs per scaled second: --capacity; else measured on
    /// the simulator's GPUs (<see cref="CapacityProbe"/>); else from published service times and the time scale.
    /// </summary>
    public async Task<double> CapacityAsync(Scenario scenario, Network network, CancellationToken cancel)
    {
        if (capacity is { } known)
        {
            return known;
        }

        var kind = scenario.Mix.Entries.OrderByDescending(e => e.Weight).First().Kind;
        if (p.GetValue(o.Capacity) is { } c)
        {
            capacity = c > 0 && double.IsFinite(c) ? c : throw new UsageException("bad --capacity: use a positive number of jobs per second");
            capacityNote = "given with --capacity";
            return c;
        }

        var gpus = Topology?.Gpus.Where(g => g.Pipeline == kind.Pipeline()).ToList() ?? [];
        if (network.Simulator is not null && gpus.Count > 0 && gpus.All(g => g.InSimulator))
        {
            await Log.WriteLineAsync($"capacity: probing {gpus.Count} GPUs for {kind.Name()} on {network.Simulator}");
            var times = await CapacityProbe.MeasureAsync(Http, network.Simulator, gpus, scenario, kind, Seed, Models, RequestTimeout, cancel);
            capacity = CapacityProbe.Capacity(times);
            capacityNote = "measured on the simulator: the scenario's request sent straight to each GPU (best of two)";
            capacityRows = times.Select(t => (IReadOnlyList<string>)
            [
                t.Gpu.Id, t.Gpu.Profile, Fmt.Num(t.MeasuredMs), TimeScale is { } ts && ts > 0 ? Fmt.Num(t.MeasuredMs / 1000 / ts) : "–",
                t.ExpectedRealSeconds is { } e ? Fmt.Num(e) : "–", Fmt.Num(t.Gpu.Parallelism / (t.MeasuredMs / 1000)),
            ]).ToList();
        }
        else
        {
            capacity = Topology is null ? 0 : CapacityModel.FleetCapacity(Topology, kind, TimeScale);
            capacityNote = "from published service times (reference §6.7) × time scale";
        }

        await Log.WriteLineAsync($"capacity: {capacity:0.###} {kind.Name()} jobs per scaled second ({capacityNote})");
        return capacity > 0
            ? capacity.Value
            : throw new UsageException($"cannot compute the fleet capacity for {kind.Name()}: give --topology with GPUs of known profiles serving it, or --capacity JOBS_PER_SECOND");
    }

    /// <summary>Fails early, before any network starts, when no capacity figure can be had.</summary>
    public void RequireCapacitySource(Scenario scenario)
    {
        var kind = scenario.Mix.Entries.OrderByDescending(e => e.Weight).First().Kind;
        var measurable = Topology?.Gpus.Any(g => g.Pipeline == kind.Pipeline() && (g.InSimulator || CapacityModel.ServiceSeconds(g.Profile, g.Pipeline) is not null)) ?? false;
        if (p.GetValue(o.Capacity) is null && !measurable)
        {
            throw new UsageException($"cannot compute the fleet capacity for {kind.Name()}: give --topology with simulated GPUs serving it, or --capacity JOBS_PER_SECOND");
        }
    }

    /// <summary>The report section that says how the capacity was obtained.</summary>
    public ReportSection? CapacitySection() => capacity is null
        ? null
        : new ReportSection(
            "Fleet capacity",
            ["gpu", "profile", "service ms (scaled)", "service s (real)", "published s (real)", "jobs/s (scaled)"],
            capacityRows.Count > 0 ? capacityRows : [["fleet", "", "", "", "", Fmt.Num(capacity.Value)]],
            $"Fleet capacity {Fmt.Num(capacity.Value)} jobs per scaled second, {capacityNote}. Load fractions are of this figure.");

    /// <summary>
    /// Starts a network from a copy of the topology (fixed simulator port, extra gateway environment, starting
    /// strategy), or returns the running one. The copy is kept in the report folder.
    /// </summary>
    public async Task<Network> AcquireNetworkAsync(IReadOnlyDictionary<string, string>? environment, CancellationToken cancel, string? strategy = null)
    {
        if (ExternalGateway is not null)
        {
            await Targets.EnsureReachableAsync(Http, ExternalGateway, cancel);
            return new Network(ExternalGateway, SimulatorOverride, null);
        }

        networksStarted++;
        // The gateway derives its default deadlines from real-world service times; a scaled network needs them scaled too.
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        if (TimeScale is { } ts && ts > 0 && Math.Abs(ts - 1) > 1e-12)
        {
            env.TryAdd("Timeouts__ServiceTimeScale", ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        environment = env;
        int? simulatorPort = Topology!.Gpus.Any(g => g.InSimulator) ? Topology.SimulatorPort ?? FreePort() : null;
        var variant = Path.Combine(OutFolder, $"topology-{networksStarted}.json");
        TopologyInfo.WriteVariant(TopologyFile!, variant, simulatorPort, environment, strategy);
        var host = await ctx.Networks.StartAsync(variant, StartupTimeout, Log, cancel);
        try
        {
            var simulator = SimulatorOverride
                ?? (simulatorPort is { } port ? new Uri($"http://127.0.0.1:{port}/") : null)
                ?? host.Simulator;
            var gateway = Targets.ParseLoopback(host.Gateway.ToString());
            await Targets.EnsureReachableAsync(Http, gateway, cancel);
            var expected = Topology.Gpus.Select(g => g.Orchestrator).Distinct().Count();
            var seen = await Admin.WaitForDiscoveryAsync(gateway, expected, TimeSpan.FromSeconds(60), cancel);
            await Log.WriteLineAsync(seen < 0 ? "network: the gateway has no /getNetworkCapabilities; discovery not checked" : $"network: gateway discovered {seen} of {expected} orchestrators");
            return new Network(gateway, simulator, host);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public RunSpec Spec(
        string label, Scenario scenario, LoadSimulation simulation, Uri gateway, Slo? slo = null, IReadOnlyDictionary<string, string>? parameters = null, int? seed = null) => new()
    {
        Label = label,
        Scenario = scenario,
        Simulation = simulation,
        WarmUp = WarmUp,
        Seed = seed ?? Seed,
        MaxRequests = p.GetValue(o.Common.MaxRequests),
        Options = new RunOptions { Gateway = gateway, RequestTimeout = RequestTimeout, MaxInFlight = p.GetValue(o.Common.MaxInFlight) },
        Slo = slo ?? o.Common.Slo(p),
        Models = Models,
        Parameters = parameters ?? new Dictionary<string, string>(),
    };

    /// <summary>
    /// Runs one spec; faults are switched on at their time and cleared afterwards. <paramref name="alongside"/> starts
    /// with the measured run (after priming and the pause), is given the run's start timestamp, and is cancelled
    /// when the run ends.
    /// </summary>
    public async Task<(RunSummary Summary, IReadOnlyList<RequestRecord> Records)> RunAsync(
        RunSpec spec, Network network, IReadOnlyList<FaultEvent>? faults, CancellationToken cancel, Func<long, CancellationToken, Task>? alongside = null)
    {
        if (runs.Count > 0 && PauseBetweenRuns > TimeSpan.Zero)
        {
            await Task.Delay(PauseBetweenRuns, ctx.Time, cancel);
        }

        faults ??= [];
        if (faults.Count > 0 && network.Simulator is null)
        {
            throw new UsageException("fault schedules need the simulator's admin URL: pass --simulator URL (a network started from --topology has it)");
        }

        if (primed.Add(network.Gateway.ToString()))
        {
            // A fresh network (cold JIT, empty connection pools, a strategy that has not measured anything yet)
            // would make whichever run comes first look worse; load it unmeasured first.
            var primeFor = WarmUp > TimeSpan.FromSeconds(5) ? WarmUp : TimeSpan.FromSeconds(5);
            await Log.WriteLineAsync($"priming the network for {primeFor.TotalSeconds:0.#} s with the first run's load (not measured)");
            var primer = new RunExecutor(Http, ctx.Time, false, TextWriter.Null);
            await primer.ExecuteAsync(spec with { Label = "priming", Simulation = spec.Simulation with { Duration = primeFor }, WarmUp = TimeSpan.Zero }, cancel);
            spec = spec with { Parameters = new Dictionary<string, string>(spec.Parameters) { ["network priming"] = Fmt.Inv($"first run on a fresh network: {primeFor.TotalSeconds:0.#} s of the same load before it, not measured") } };
        }

        using var faultCts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var faultTask = Task.WhenAll(faults.Select(async f =>
        {
            await Task.Delay(f.At, ctx.Time, faultCts.Token);
            await Admin.SetFaultAsync(network.Simulator!, f.GpuId, f.Body, faultCts.Token);
            await Log.WriteLineAsync($"fault: {f.Kind} on {f.GpuId} at {f.At.TotalSeconds:0.#} s");
        }));
        var alongsideTask = alongside?.Invoke(System.Diagnostics.Stopwatch.GetTimestamp(), faultCts.Token) ?? Task.CompletedTask;
        try
        {
            var executor = new RunExecutor(Http, ctx.Time, ctx.ShowProgress && !p.GetValue(o.Common.NoProgress), Log);
            var result = await executor.ExecuteAsync(spec, cancel);
            runs.Add(result.Summary);
            records.AddRange(result.Records);
            return result;
        }
        finally
        {
            await faultCts.CancelAsync();
            try
            {
                await alongsideTask;
            }
            catch (OperationCanceledException)
            {
            }

            try
            {
                await faultTask;
            }
            catch (OperationCanceledException)
            {
            }

            foreach (var f in faults)
            {
                await Admin.ClearFaultAsync(network.Simulator!, f.GpuId, CancellationToken.None);
            }
        }
    }

    /// <summary>The caller loaded this network itself (e.g. to read CPU around the measured run only); no priming run.</summary>
    public void MarkPrimed(Network network) => primed.Add(network.Gateway.ToString());

    public void Replace(RunSummary summary)
    {
        var i = runs.FindIndex(r => r.Label == summary.Label);
        runs[i] = summary;
    }

    public async Task<string> WriteReportAsync(string title, IReadOnlyList<ReportSection> sections, IReadOnlyList<string> conclusions, Uri gateway)
    {
        var report = new Report
        {
            Header = new ReportHeader
            {
                Title = title,
                Command = "loadtests " + string.Join(' ', ctx.Args),
                StartedUtc = started,
                Gateway = ExternalGateway?.ToString() ?? $"started by the experiment through the AppHost (last: {gateway})",
                Topology = TopologyFile ?? "",
                TimeScale = TimeScale,
                Seed = Seed,
                Seeds = Seeds.Count > 1 ? Seeds : null,
                Versions = MachineInfo.Versions(),
                Machine = MachineInfo.Machine(),
            },
            Runs = runs,
            Sections = CapacitySection() is { } cap ? [.. sections, cap] : sections,
            Conclusions = conclusions,
        };
        ReportFiles.Write(OutFolder, report, records);
        var full = Path.GetFullPath(OutFolder);
        await Log.WriteLineAsync($"report: {full}");
        return full;
    }

    /// <summary>Real-world seconds for a scaled latency in ms (÷ time scale), or the scaled value when unknown.</summary>
    public string RealWorld(double scaledMs) =>
        TimeScale is { } ts && ts > 0 ? Fmt.Num(scaledMs / 1000 / ts) + " s" : Fmt.Num(scaledMs) + " ms";

    public void Dispose() => Http.Dispose();
}
