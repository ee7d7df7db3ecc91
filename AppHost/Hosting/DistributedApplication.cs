using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using LivepeerAspire.AppHost.Dashboard;

namespace LivepeerAspire.AppHost.Hosting;

/// <summary>
/// The runnable composition, shaped like Aspire's <c>DistributedApplication</c>: starts every resource in
/// WaitFor order with health gating, serves the dashboard, and stops every child on shutdown (SIGTERM, then
/// kill), so no process outlives the host.
/// </summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly ConcurrentDictionary<int, Process> _tracked = new();
    private readonly Lock _outputGate = new();
    private readonly Stopwatch _clock = new();
    private DashboardServer? _dashboard;
    private bool _started;
    private bool _stopped;

    internal DistributedApplication(DistributedApplicationBuilder builder)
    {
        Options = builder.Options;
        Arguments = builder.Arguments;
        Resources = builder.Resources.ToList();
        Network = builder.Network;
        Instances = Resources
            .Where(r => r.Kind != ResourceKind.ConnectionString)
            .SelectMany(r => Enumerable.Range(0, r.Replicas).Select(i => new ResourceInstance(this, r, i)))
            .ToList();
        foreach (var instance in Instances)
        {
            instance.StateChanged += OnStateChanged;
        }
    }

    public DistributedApplicationOptions Options { get; }

    public AppHostArguments Arguments { get; }

    public IReadOnlyList<Resource> Resources { get; }

    public IReadOnlyList<ResourceInstance> Instances { get; }

    public NetworkMap? Network { get; }

    /// <summary>The dashboard's URL once started (null when disabled).</summary>
    public string? DashboardUrl => _dashboard?.Url;

    internal HealthProbe Probe { get; } = new();

    public static DistributedApplicationBuilder CreateBuilder(string[] args) =>
        CreateBuilder(new DistributedApplicationOptions(), AppHostArguments.Parse(args));

    public static DistributedApplicationBuilder CreateBuilder(DistributedApplicationOptions options, AppHostArguments? arguments = null)
    {
        arguments ??= new AppHostArguments();
        if (arguments.NoDashboard)
        {
            options.DashboardPort = null;
        }
        else if (arguments.DashboardPort is { } port)
        {
            options.DashboardPort = port;
        }

        options.EchoChildOutput |= arguments.Verbose;
        return new DistributedApplicationBuilder(options, arguments);
    }

    public ResourceInstance GetInstance(string name) =>
        Instances.FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException($"No resource instance named '{name}'.");

    public ResourceInstance? FindInstance(string name) =>
        Instances.FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<ResourceInstance> InstancesOf(Resource resource) => Instances.Where(i => i.Resource == resource);

    /// <summary>Starts the dashboard and every resource (each after its dependencies); returns without waiting for health.</summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        _clock.Start();
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        if (Options.DashboardPort is { } port)
        {
            _dashboard = new DashboardServer(this);
            await _dashboard.StartAsync(port, ct);
        }

        foreach (var instance in Instances)
        {
            await instance.StartAsync();
        }
    }

    /// <summary>
    /// Waits until every instance is running (instances that cannot run here, such as a container without an
    /// engine, are skipped). Throws when one fails or the timeout passes, naming each instance that is not
    /// running with its last log lines.
    /// </summary>
    public async Task<TimeSpan> WaitForAllHealthyAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        while (true)
        {
            if (Instances.All(i => i.State is ResourceState.Running or ResourceState.Unavailable))
            {
                return _clock.Elapsed;
            }

            var failed = Instances.Where(i => i.State is ResourceState.Failed or ResourceState.Exited).ToList();
            if (failed.Count > 0)
            {
                throw new InvalidOperationException("Resources failed to start:" + Environment.NewLine + Describe(failed));
            }

            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"Not every resource was healthy after {timeout.TotalSeconds:0} s:" + Environment.NewLine +
                    Describe(Instances.Where(i => i.State != ResourceState.Running).ToList()));
            }
        }
    }

    /// <summary>
    /// Aspire's <c>RunAsync</c>: start, print the URLs once everything is healthy, run until Ctrl+C, SIGTERM or
    /// <paramref name="ct"/>, then stop every child.
    /// </summary>
    public async Task RunAsync(CancellationToken ct = default)
    {
        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var signals = 0;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref signals) == 1)
            {
                WriteLine("Shutting down: stopping every resource…");
                shutdown.Cancel();
            }
            else
            {
                WriteLine("Second signal: killing every child now.");
                KillAll();
            }
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);
        try
        {
            await StartAsync(shutdown.Token);
            if (DashboardUrl is not null)
            {
                WriteLine($"Starting {Instances.Count} resources; watch them at {DashboardUrl}");
            }

            await AnnounceWhenHealthyAsync(shutdown.Token);
            await Task.Delay(Timeout.Infinite, shutdown.Token);
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
        }
        finally
        {
            await StopAsync();
            WriteLine("Stopped.");
        }
    }

    /// <summary>Stops dependents before their dependencies, each with SIGTERM then a kill after the grace period.</summary>
    public async Task StopAsync()
    {
        if (_stopped || !_started)
        {
            return;
        }

        _stopped = true;
        foreach (var level in ShutdownLevels())
        {
            await Task.WhenAll(level.Select(i => i.StopAsync()));
        }

        KillAll();
        if (_dashboard is not null)
        {
            await _dashboard.DisposeAsync();
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Probe.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    internal void Track(Process process) => _tracked[process.Id] = process;

    /// <summary>The PIDs of every child process started so far (for tests that check nothing is left).</summary>
    public IReadOnlyCollection<int> StartedProcessIds => _tracked.Keys.ToList();

    internal async Task WaitForDependenciesAsync(ResourceInstance instance, CancellationToken ct)
    {
        var dependencies = instance.Resource.WaitForResources.SelectMany(InstancesOf).ToList();
        bool Settled(ResourceInstance d) =>
            d.State == ResourceState.Running
            || (instance.Resource.TolerantWaits.Contains(d.Resource) && d.State is ResourceState.Failed or ResourceState.Exited or ResourceState.Unavailable);
        while (true)
        {
            var pending = dependencies.Where(d => !Settled(d)).ToList();
            if (pending.Count == 0)
            {
                return;
            }

            instance.SetWaiting($"waiting for {string.Join(", ", pending.Select(p => p.Name))}");
            await Task.Delay(100, ct);
        }
    }

    internal void WriteLine(string line)
    {
        lock (_outputGate)
        {
            Options.Output.WriteLine(line);
            Options.Output.Flush();
        }
    }

    private async Task AnnounceWhenHealthyAsync(CancellationToken ct)
    {
        var reported = new HashSet<string>();
        while (!ct.IsCancellationRequested)
        {
            foreach (var unavailable in Instances.Where(i => i.State == ResourceState.Unavailable && reported.Add(i.Name)))
            {
                WriteLine($"  {unavailable.Name}: unavailable ({unavailable.StateDetail})");
            }

            if (Instances.All(i => i.State is ResourceState.Running or ResourceState.Unavailable))
            {
                var elapsed = _clock.Elapsed;
                foreach (var resource in Resources.Where(r => r.DisplayLabel is not null && r.HasEndpoint))
                {
                    WriteLine($"{resource.DisplayLabel}: {resource.Url()}");
                }

                if (DashboardUrl is not null)
                {
                    WriteLine($"Dashboard: {DashboardUrl}");
                }

                var sinceProcessStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
                WriteLine($"All {Instances.Count(i => i.State == ResourceState.Running)} resources healthy in {elapsed.TotalSeconds:0.0} s ({sinceProcessStart.TotalSeconds:0.0} s since the AppHost started). Press Ctrl+C to stop.");
                return;
            }

            await Task.Delay(100, ct);
        }
    }

    private static string Describe(IReadOnlyList<ResourceInstance> instances) =>
        string.Join(Environment.NewLine, instances.Select(i =>
            $"  {i.Name}: {i.State.ToDisplay()}{(i.StateDetail is null ? "" : $" ({i.StateDetail})")}" +
            string.Concat(i.Logs.Tail(12).Select(l => Environment.NewLine + "      | " + l.Text))));

    private List<List<ResourceInstance>> ShutdownLevels()
    {
        // Depth = longest chain of resources that wait for this one; stop the deepest dependents first.
        var depth = new Dictionary<Resource, int>();
        int DepthOf(Resource r) =>
            depth.TryGetValue(r, out var d) ? d : depth[r] = Resources.Where(o => o.WaitForResources.Contains(r)).Select(DepthOf).DefaultIfEmpty(-1).Max() + 1;
        return Instances.GroupBy(i => DepthOf(i.Resource)).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
    }

    private void OnStateChanged(ResourceInstance instance, ResourceState state)
    {
        if (_stopped)
        {
            return;
        }

        if (state == ResourceState.Failed)
        {
            WriteLine(Describe([instance]));
        }
        else if (state == ResourceState.Restarting)
        {
            WriteLine($"  {instance.Name}: {state.ToDisplay()} ({instance.StateDetail})");
        }
    }

    private void KillAll()
    {
        foreach (var instance in Instances)
        {
            instance.KillNow();
        }

        foreach (var process in _tracked.Values)
        {
            ProcessSignals.KillNow(process);
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => KillAll();
}
