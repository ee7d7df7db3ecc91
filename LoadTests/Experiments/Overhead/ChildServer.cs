using System.Diagnostics;
using System.Net.Sockets;

namespace LivepeerAspire.LoadTests.Experiments.Overhead;

/// <summary>A baseline server in its own process (a YARP hop, nginx), killed with its process tree on dispose.</summary>
public sealed class ChildServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process process;

    private ChildServer(Process process, Uri url, string name)
    {
        this.process = process;
        Url = url;
        Name = name;
    }

    public Uri Url { get; }

    public string Name { get; }

    public int ProcessId => process.Id;

    /// <summary>Starts a child that prints the URL it listens on as its first line of output.</summary>
    public static async Task<ChildServer> StartAsync(ProcessStartInfo start, string name, CancellationToken cancel)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name}: could not start {start.FileName}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(StartTimeout);
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null || !Uri.TryCreate(line.Trim(), UriKind.Absolute, out var url))
            {
                throw new InvalidOperationException($"{name}: exited or printed no URL (got '{line}')");
            }

            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            return new ChildServer(process, url, name);
        }
        catch
        {
            Kill(process);
            throw;
        }
    }

    /// <summary>Starts a child that listens on a port chosen by the caller; returns once the port accepts.</summary>
    public static async Task<ChildServer> StartOnPortAsync(ProcessStartInfo start, Uri url, string name, CancellationToken cancel)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name}: could not start {start.FileName}");
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(url.Host, url.Port, cancel);
                return new ChildServer(process, url, name);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100, cancel);
            }
            catch
            {
                Kill(process);
                throw new InvalidOperationException($"{name}: did not listen on {url} within {StartTimeout.TotalSeconds} s" + (process.HasExited ? $" (exit code {process.ExitCode})" : ""));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill(process);
        await process.WaitForExitAsync();
        process.Dispose();
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }
}
