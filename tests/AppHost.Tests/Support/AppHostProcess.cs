using System.Diagnostics;

namespace LivepeerAspire.AppHost.Tests.Support;

/// <summary>The AppHost started as a real process (<c>dotnet AppHost.dll …</c>), its output collected line by line.</summary>
internal sealed class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private int _disposed;

    private AppHostProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return string.Join('\n', _stdout);
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    public static AppHostProcess Start(params string[] args)
    {
        var root = TestApps.RepositoryRoot;
        var dll = Path.Combine(root, "AppHost", "bin", TestApps.BuildConfiguration, "net10.0", "AppHost.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        // As the launch profile sets them for `dotnet run`: the dashboard over plain http on loopback, no login.
        psi.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        psi.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        psi.Environment["DOTNET_ENVIRONMENT"] = "Development";
        psi.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = psi };
        var host = new AppHostProcess(process);
        process.OutputDataReceived += (_, e) => Add(host._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Add(host._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>The value after "<paramref name="label"/>: " once the AppHost prints it.</summary>
    public async Task<string> WaitForLineAsync(string label, TimeSpan timeout, string separator = ": ", bool contains = false)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (_stdout)
            {
                if (contains && _stdout.FirstOrDefault(l => l.Contains(label, StringComparison.Ordinal)) is { } found)
                {
                    return found;
                }

                var line = _stdout.FirstOrDefault(l => l.StartsWith(label + separator, StringComparison.Ordinal));
                if (!contains && line is not null)
                {
                    return line[(label.Length + separator.Length)..].Trim();
                }
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"AppHost did not print '{label}:'.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            _process.WaitForExit();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            Signal("TERM");
            if (!await WaitForExitAsync(TimeSpan.FromSeconds(15)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private static void Add(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (lines)
        {
            lines.Add(line);
        }
    }
}
