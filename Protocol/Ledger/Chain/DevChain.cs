using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LivepeerAspire.Protocol.Ledger.Chain;

/// <summary>
/// The local EVM dev chain: ganache 7.9.2 from chain/node_modules (run directly, not through npx, so that its PID is the
/// chain's), on 127.0.0.1 only, with one funded deployer account. The AppHost runs it as an executable resource from
/// <see cref="Executable"/> and <see cref="Arguments"/>; tests start it with <see cref="StartAsync"/>.
/// </summary>
public sealed class DevChain : IAsyncDisposable
{
    /// <summary>The deployer's key, funded at genesis (ganache's deterministic account 0; a dev key, never a real one).</summary>
    public const string DeployerKey = "0x4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d";

    public const long ChainId = 1337;

    private readonly Process process;
    private readonly StringBuilder output;

    private DevChain(Process process, Uri endpoint, StringBuilder output)
    {
        this.process = process;
        Endpoint = endpoint;
        this.output = output;
        // A test host that exits without disposing (an unhandled failure) still takes its chain with it.
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
    }

    private void KillOnExit(object? sender, EventArgs e)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
    }

    public Uri Endpoint { get; }

    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    /// <summary>What the chain printed so far (for a failing test's message).</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>chain/node_modules/.bin/ganache under <paramref name="chainDirectory"/> (after <c>npm ci</c> there).</summary>
    public static string Executable(string chainDirectory) => Path.Combine(chainDirectory, "node_modules", ".bin", "ganache");

    /// <summary>
    /// Arguments for a chain on 127.0.0.1:<paramref name="port"/>. A zero <paramref name="blockTime"/> mines a block per
    /// transaction (tests advance blocks with evm_mine); a positive one mines on that clock, as the network needs so that
    /// ticket params (40 blocks) expire.
    /// </summary>
    public static IReadOnlyList<string> Arguments(int port, TimeSpan blockTime) =>
    [
        "--server.host", "127.0.0.1",
        "--server.port", port.ToString(CultureInfo.InvariantCulture),
        "--chain.chainId", ChainId.ToString(CultureInfo.InvariantCulture),
        "--chain.hardfork", "shanghai",
        "--wallet.accounts", DeployerKey + ",0x" + (BigInteger1e24).ToString("x", CultureInfo.InvariantCulture),
        "--miner.blockTime", blockTime.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        "--logging.quiet",
    ];

    private static readonly System.Numerics.BigInteger BigInteger1e24 = System.Numerics.BigInteger.Pow(10, 24);

    /// <summary>The repository's chain/ folder, found upwards from <paramref name="start"/> (default: this assembly's folder).</summary>
    public static string FindChainDirectory(string? start = null)
    {
        for (var dir = new DirectoryInfo(start ?? AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "chain");
            if (File.Exists(Path.Combine(candidate, "package.json")) && Directory.Exists(Path.Combine(candidate, "contracts")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("chain/ (with package.json and contracts/) not found above " + (start ?? AppContext.BaseDirectory));
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the chain on a free loopback port and waits until it answers eth_chainId; kills it if it never does.</summary>
    public static async Task<DevChain> StartAsync(TimeSpan blockTime, string? chainDirectory = null, int? port = null,
        IEnumerable<string>? extraArguments = null, CancellationToken cancellationToken = default)
    {
        var dir = chainDirectory ?? FindChainDirectory();
        var exe = Executable(dir);
        if (!File.Exists(exe))
        {
            throw new FileNotFoundException($"{exe} is missing: run `npm ci` in {dir}");
        }

        var p = port ?? FreePort();
        var info = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
        foreach (var a in Arguments(p, blockTime).Concat(extraArguments ?? []))
        {
            info.ArgumentList.Add(a);
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var chain = new DevChain(process, new Uri($"http://127.0.0.1:{p}"), output);
        try
        {
            await chain.WaitReadyAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return chain;
        }
        catch
        {
            await chain.DisposeAsync();
            throw;
        }
    }

    /// <summary>Polls eth_chainId until the chain answers.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the dev chain exited with code {process.ExitCode}: {Output}");
            }

            try
            {
                using var content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}""", Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(Endpoint, content, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the dev chain did not answer on {Endpoint} within {timeout}: {Output}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Kills the chain by its PID (its whole process tree) and waits for it to exit.</summary>
    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(wait.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
        }
        finally
        {
            process.Dispose();
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            if (output.Length < 64_000)
            {
                output.AppendLine(line);
            }
        }
    }
}
