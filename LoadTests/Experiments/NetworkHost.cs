using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>
/// A whole network started for one experiment: the AppHost as a child process, ready once it prints
/// <c>Gateway: http://…</c>. Other <c>Name: http://…</c> lines are kept as endpoints (dashboard, simulator).
/// Disposing kills the AppHost and its children by PID, also when the experiment failed.
/// </summary>
public sealed partial class NetworkHost : IAsyncDisposable
{
    private readonly Process process;
    private readonly TextWriter? logFile;

    private NetworkHost(Process process, TextWriter? logFile, Uri gateway, IReadOnlyDictionary<string, Uri> endpoints)
    {
        this.process = process;
        this.logFile = logFile;
        Gateway = gateway;
        Endpoints = endpoints;
    }

    public Uri Gateway { get; }

    /// <summary>Every <c>Name: URL</c> line the AppHost printed, keyed by name (lower case).</summary>
    public IReadOnlyDictionary<string, Uri> Endpoints { get; }

    public int ProcessId => process.Id;

    /// <summary>Finds <c>AppHost/bin/&lt;Config&gt;/net10.0/AppHost.dll</c> above this program's folder.</summary>
    public static string FindAppHost(string? explicitPath, string configuration)
    {
        if (explicitPath is not null)
        {
            return File.Exists(explicitPath) ? Path.GetFullPath(explicitPath) : throw new UsageException($"--apphost '{explicitPath}' does not exist");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LivepeerAspire.sln")))
            {
                var dll = Path.Combine(dir.FullName, "AppHost", "bin", configuration, "net10.0", "AppHost.dll");
                return File.Exists(dll)
                    ? dll
                    : throw new UsageException($"the AppHost is not built: {dll} is missing (run: dotnet build AppHost -c {configuration}), or pass --gateway URL of a running network");
            }
        }

        throw new UsageException("cannot find the repository (LivepeerAspire.sln) above the load-test binary; pass --apphost PATH or --gateway URL");
    }

    public static async Task<NetworkHost> StartAsync(
        string appHostDll,
        string topologyFile,
        IReadOnlyDictionary<string, string> environment,
        TimeSpan startupTimeout,
        TextWriter progress,
        string? logPath,
        CancellationToken cancel)
    {
        if (!File.Exists(topologyFile))
        {
            throw new UsageException($"topology file '{topologyFile}' does not exist");
        }

        // A .dll runs under dotnet; anything else (a published AppHost, a stand-in script in tests) runs directly.
        var isDll = appHostDll.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var psi = new ProcessStartInfo(isDll ? "dotnet" : appHostDll)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(appHostDll)!,
        };
        if (isDll)
        {
            psi.ArgumentList.Add(appHostDll);
        }

        foreach (var a in new[] { "--topology", Path.GetFullPath(topologyFile), "--gateway-port", "0", "--dashboard-port", "0" })
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment)
        {
            psi.Environment[k] = v;
        }

        TextWriter? logFile = null;
        if (logPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
            logFile = TextWriter.Synchronized(new StreamWriter(logPath) { AutoFlush = true });
        }

        var process = Process.Start(psi) ?? throw new UsageException("could not start the AppHost process");
        var lines = new List<string>();
        var endpoints = new Dictionary<string, Uri>(StringComparer.OrdinalIgnoreCase);
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);

        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            logFile?.WriteLine(line);
            lock (lines)
            {
                lines.Add(line);
                if (lines.Count > 200)
                {
                    lines.RemoveAt(0);
                }
            }

            var m = EndpointLine().Match(line);
            if (m.Success && Uri.TryCreate(m.Groups[2].Value, UriKind.Absolute, out var url))
            {
                lock (endpoints)
                {
                    endpoints[m.Groups[1].Value.Trim().ToLowerInvariant()] = url;
                }

                if (m.Groups[1].Value.Trim().Equals("Gateway", StringComparison.OrdinalIgnoreCase))
                {
                    ready.TrySetResult(url);
                }
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await progress.WriteLineAsync($"network: started AppHost (pid {process.Id}) with {topologyFile}; waiting for 'Gateway: http://…'");
        try
        {
            var exited = process.WaitForExitAsync(cancel);
            var timeout = Task.Delay(startupTimeout, cancel);
            var first = await Task.WhenAny(ready.Task, exited, timeout);
            if (first != ready.Task)
            {
                string tail;
                lock (lines)
                {
                    tail = string.Join(" | ", lines.TakeLast(5));
                }

                throw new UsageException(first == exited
                    ? $"the AppHost exited (code {process.ExitCode}) before printing its gateway URL; last lines: {tail}"
                    : $"the AppHost did not print its gateway URL within {startupTimeout.TotalSeconds:0} s; last lines: {tail}", 4);
            }

            var gateway = await ready.Task;
            await Task.Delay(200, cancel); // let the lines printed right after the gateway line arrive
            Dictionary<string, Uri> snapshot;
            lock (endpoints)
            {
                snapshot = new Dictionary<string, Uri>(endpoints, StringComparer.OrdinalIgnoreCase);
            }

            await progress.WriteLineAsync($"network: gateway {gateway}");
            return new NetworkHost(process, logFile, gateway, snapshot);
        }
        catch
        {
            Kill(process);
            process.Dispose();
            logFile?.Dispose();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill(process);
        process.Dispose();
        logFile?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static void Kill(Process p)
    {
        try
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }

    [GeneratedRegex(@"^\s*([A-Za-z][\w .\-]{0,40}):\s+(https?://\S+)\s*$")]
    private static partial Regex EndpointLine();
}
