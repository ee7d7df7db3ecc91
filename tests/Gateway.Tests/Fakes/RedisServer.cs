using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LivepeerAspire.Gateway.Tests.Fakes;

/// <summary>
/// Debian's <c>redis-server</c> on a free loopback port, nothing persisted, for tests of the shared state. It can be
/// stopped and started again on the same port (an empty Redis, as after a crash); it is killed by PID on dispose and
/// at process exit, also when a test failed.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private Process? process;

    public RedisServer()
    {
        Port = FreePort();
        Start();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=1000,asyncTimeout=1000,syncTimeout=1000";

    public void Start()
    {
        var info = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--bind", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no" })
        {
            info.ArgumentList.Add(arg);
        }

        process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start (apt-get install redis-server)");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!AnswersPing())
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                Stop();
                throw new InvalidOperationException($"redis-server on port {Port} did not answer PING");
            }

            Thread.Sleep(50);
        }
    }

    public void Stop()
    {
        var running = process;
        process = null;
        if (running is null)
        {
            return;
        }

        try
        {
            if (!running.HasExited)
            {
                running.Kill(entireProcessTree: true);
                running.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        running.Dispose();
    }

    public void Dispose() => Stop();

    private bool AnswersPing()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            var read = stream.Read(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
