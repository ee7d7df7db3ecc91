using System.Diagnostics;

namespace LivepeerAspire.AppHost.Hosting;

/// <summary>
/// One running copy (replica) of a resource: its process, state, console log and restart count. A supervisor
/// task starts it after its WaitFor dependencies are healthy, probes its health, and restarts it per policy.
/// </summary>
public sealed class ResourceInstance
{
    private readonly DistributedApplication _app;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly Lock _stateGate = new();
    private Process? _process;
    private Task? _supervisor;
    private CancellationTokenSource? _cts;
    private volatile bool _stopRequested;
    private string? _containerName;

    internal ResourceInstance(DistributedApplication app, Resource resource, int replica)
    {
        _app = app;
        Resource = resource;
        Replica = replica;
        Name = resource.InstanceName(replica);
        Url = resource.Kind switch
        {
            ResourceKind.External => ((ExternalResource)resource).ExternalUrl.ToString().TrimEnd('/'),
            _ when resource.HasEndpoint => resource.Url(replica),
            _ => null,
        };
    }

    public Resource Resource { get; }

    public string Name { get; }

    public int Replica { get; }

    public string? Url { get; }

    public ResourceState State { get; private set; } = ResourceState.Waiting;

    public string? StateDetail { get; private set; }

    public int? Pid { get; private set; }

    public int? ExitCode { get; private set; }

    public int RestartCount { get; private set; }

    public DateTimeOffset? StartedAt { get; private set; }

    public DateTimeOffset? HealthyAt { get; private set; }

    public LogBuffer Logs { get; } = new();

    public event Action<ResourceInstance, ResourceState>? StateChanged;

    /// <summary>Starts the supervisor unless it is already active; returns at once.</summary>
    public async Task StartAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_supervisor is { IsCompleted: false })
            {
                return;
            }

            _stopRequested = false;
            RestartCount = 0;
            _cts?.Dispose();
            _cts = new CancellationTokenSource();
            var token = _cts.Token;
            SetState(ResourceState.Waiting, null);
            _supervisor = Task.Run(() => SuperviseAsync(token));
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops the instance: SIGTERM, then a kill after the grace period. No restart follows.</summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            _stopRequested = true;
            _cts?.Cancel();
            if (_process is { } process)
            {
                await ProcessSignals.TerminateAsync(process, _app.Options.ShutdownGracePeriod);
            }

            if (_supervisor is { } supervisor)
            {
                await supervisor.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            if (_containerName is not null && await ContainerEngine.GetAsync() is { } engine)
            {
                await engine.RemoveAsync(_containerName);
            }

            if (!State.IsTerminal())
            {
                SetState(ResourceState.Stopped, null);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    /// <summary>Last-resort synchronous kill (process exit of the host).</summary>
    internal void KillNow()
    {
        _stopRequested = true;
        if (_process is { } process)
        {
            ProcessSignals.KillNow(process);
        }
    }

    private async Task SuperviseAsync(CancellationToken ct)
    {
        try
        {
            await _app.WaitForDependenciesAsync(this, ct);
            while (!ct.IsCancellationRequested)
            {
                if (Resource is ExternalResource)
                {
                    SetState(ResourceState.Starting, null);
                    await MonitorHealthAsync(null, ct);
                    return;
                }

                var (spec, unavailable) = await PrepareAsync();
                if (spec is null)
                {
                    SetState(ResourceState.Unavailable, unavailable);
                    return;
                }

                Process process;
                try
                {
                    process = Launch(spec);
                }
                catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or FileNotFoundException)
                {
                    Logs.Add("stderr", $"[apphost] could not start {spec.FileName}: {e.Message}", DateTimeOffset.Now);
                    SetState(ResourceState.Failed, $"could not start: {e.Message}");
                    return;
                }

                using (var healthCts = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    var health = MonitorHealthAsync(process, healthCts.Token);
                    await process.WaitForExitAsync(CancellationToken.None);
                    await healthCts.CancelAsync();
                    await health.ContinueWith(_ => { }, TaskScheduler.Default);
                }

                process.WaitForExit(); // flushes the asynchronous output readers
                ExitCode = process.ExitCode;
                Logs.Add("stderr", $"[apphost] process {process.Id} exited with code {process.ExitCode}", DateTimeOffset.Now);
                if (_stopRequested || ct.IsCancellationRequested)
                {
                    SetState(ResourceState.Stopped, $"exit code {process.ExitCode}");
                    return;
                }

                var policy = Resource.RestartPolicy;
                if (policy.ShouldRestart(process.ExitCode, RestartCount))
                {
                    SetState(ResourceState.Restarting, $"exited with code {process.ExitCode}; restart {RestartCount + 1} of {policy.MaxRestarts}");
                    await Task.Delay(policy.BackoffFor(RestartCount), ct);
                    if (_stopRequested)
                    {
                        return;
                    }

                    RestartCount++;
                    continue;
                }

                SetState(process.ExitCode == 0 ? ResourceState.Exited : ResourceState.Failed, $"exited with code {process.ExitCode}");
                return;
            }
        }
        catch (OperationCanceledException)
        {
            if (!State.IsTerminal())
            {
                SetState(ResourceState.Stopped, null);
            }
        }
    }

    private async Task MonitorHealthAsync(Process? process, CancellationToken ct)
    {
        var everHealthy = false;
        var failures = 0;
        var started = Stopwatch.StartNew();
        while (!ct.IsCancellationRequested && process is not { HasExited: true })
        {
            var healthy = await _app.Probe.IsHealthyAsync(Resource, Url, ct);
            if (ct.IsCancellationRequested)
            {
                return;
            }

            if (healthy)
            {
                failures = 0;
                everHealthy = true;
                if (State != ResourceState.Running)
                {
                    HealthyAt ??= DateTimeOffset.Now;
                    SetState(ResourceState.Running, null);
                }
            }
            else
            {
                failures++;
                if (everHealthy && failures >= 2 && State == ResourceState.Running)
                {
                    SetState(ResourceState.Unhealthy, "health check failing");
                }
                else if (!everHealthy && State == ResourceState.Starting && started.Elapsed > _app.Options.StartupTimeout)
                {
                    SetState(ResourceState.Unhealthy, $"not healthy after {_app.Options.StartupTimeout.TotalSeconds:0} s");
                }
            }

            await Task.Delay(everHealthy ? _app.Options.HealthCheckInterval : _app.Options.StartupProbeInterval, ct);
        }
    }

    private Process Launch(LaunchSpec spec)
    {
        var psi = new ProcessStartInfo(spec.FileName)
        {
            WorkingDirectory = spec.WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in spec.Arguments)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in spec.Environment)
        {
            psi.Environment[key] = value;
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnOutput("stdout", e.Data);
        process.ErrorDataReceived += (_, e) => OnOutput("stderr", e.Data);
        Logs.Add("stdout", $"[apphost] starting {spec.FileName} {string.Join(' ', spec.Arguments)}", DateTimeOffset.Now);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        _process = process;
        Pid = process.Id;
        ExitCode = null;
        StartedAt = DateTimeOffset.Now;
        _app.Track(process);
        SetState(ResourceState.Starting, null);
        return process;
    }

    private void OnOutput(string stream, string? line)
    {
        if (line is null)
        {
            return;
        }

        Logs.Add(stream, line, DateTimeOffset.Now);
        if (_app.Options.EchoChildOutput)
        {
            _app.WriteLine($"{Name,-24}| {line}");
        }
    }

    private async Task<(LaunchSpec? Spec, string? Unavailable)> PrepareAsync()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["NO_PROXY"] = "127.0.0.1,localhost",
            ["no_proxy"] = "127.0.0.1,localhost",
            ["OTEL_SERVICE_NAME"] = Name,
        };
        if (Resource.HasEndpoint)
        {
            env["PORT"] = Resource.Port(Replica).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (Resource.Replicas > 1)
        {
            env["REPLICA_INDEX"] = Replica.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var args = Resource.Args.Select(a => Resource.HasEndpoint ? a.Replace("{port}", env["PORT"], StringComparison.Ordinal) : a).ToList();
        switch (Resource)
        {
            case ProjectResource project:
                if (!File.Exists(project.AssemblyPath))
                {
                    return (null, $"{project.AssemblyPath} not found; build it first (dotnet build {project.ProjectName})");
                }

                env["DOTNET_ENVIRONMENT"] = "Development";
                env["ASPNETCORE_ENVIRONMENT"] = "Development";
                env["DOTNET_NOLOGO"] = "1";
                if (Url is not null)
                {
                    env["ASPNETCORE_URLS"] = Url;
                }

                await AddResourceEnvironmentAsync(env);
                return (new LaunchSpec("dotnet", [project.AssemblyPath, .. args], project.ProjectDirectory, env), null);

            case ExecutableResource exe:
                var path = ExecutableLocator.Find(exe.Command);
                if (path is null)
                {
                    return (null, $"'{exe.Command}' is not installed");
                }

                await AddResourceEnvironmentAsync(env);
                return (new LaunchSpec(path, args, exe.WorkingDirectory, env), null);

            case ContainerResource container:
                var engine = await ContainerEngine.GetAsync();
                if (engine is null)
                {
                    return (null, "no container engine answers (docker or podman)");
                }

                var containerEnv = new Dictionary<string, string>(StringComparer.Ordinal);
                await AddResourceEnvironmentAsync(containerEnv);

                _containerName = $"lpa-{Name}-{Environment.ProcessId}";
                return (new LaunchSpec(engine.Path, engine.RunArguments(_containerName, container, Resource.HasEndpoint ? Resource.Port(Replica) : null, containerEnv), _app.Options.RepositoryRoot!, env), null);

            default:
                return (null, $"{Resource.Kind} resources are not started");
        }
    }

    private async Task AddResourceEnvironmentAsync(Dictionary<string, string> env)
    {
        foreach (var (key, value) in Resource.Environment)
        {
            env[key] = value();
        }

        foreach (var callback in Resource.EnvironmentCallbacks)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                foreach (var (key, value) in await callback(timeout.Token))
                {
                    env[key] = value;
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or InvalidOperationException or System.Text.Json.JsonException)
            {
                Logs.Add("stderr", $"[apphost] environment callback failed: {e.Message}", DateTimeOffset.Now);
            }
        }
    }

    internal void SetWaiting(string detail) => SetState(ResourceState.Waiting, detail);

    private void SetState(ResourceState state, string? detail)
    {
        lock (_stateGate)
        {
            if (State == state && StateDetail == detail)
            {
                return;
            }

            State = state;
            StateDetail = detail;
        }

        StateChanged?.Invoke(this, state);
    }

    private sealed record LaunchSpec(string FileName, IReadOnlyList<string> Arguments, string WorkingDirectory, IReadOnlyDictionary<string, string> Environment);
}
