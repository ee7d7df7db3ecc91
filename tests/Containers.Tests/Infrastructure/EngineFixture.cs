using System.Diagnostics;
using System.Net.Sockets;

namespace LivepeerAspire.Containers.Tests.Infrastructure;

/// <summary>
/// A Docker-compatible engine for Testcontainers and the local runner image: the Docker daemon if it answers, else
/// <c>podman system service</c> on a socket of this fixture's own (started here, killed by its PID on dispose), with
/// Ryuk off (its image cannot be pulled; every container is removed here instead, by label, also after a failed test).
/// The image is built offline by <c>eng/build-runner-image.sh</c>, which is a quick check when nothing changed.
/// </summary>
public sealed class EngineFixture : IAsyncLifetime
{
    public const string SessionLabel = "livepeer-aspire.test-session";

    private Process? _podmanService;
    private string? _socketDirectory;

    /// <summary>docker or podman: the CLI that matches <see cref="Endpoint"/>.</summary>
    public string Engine { get; private set; } = "";

    /// <summary>The engine API endpoint Testcontainers talks to.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>localhost/livepeer-aspire/runner-simulated:&lt;source hash&gt;.</summary>
    public string RunnerImage { get; private set; } = "";

    public string Session { get; } = Guid.NewGuid().ToString("N")[..12];

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED", "true");
        if ((await RunAsync("docker", "info", "--format", "{{.ServerVersion}}")).ExitCode == 0)
        {
            Engine = "docker";
            Endpoint = new Uri("unix:///var/run/docker.sock");
        }
        else if ((await RunAsync("podman", "--version")).ExitCode == 0)
        {
            Engine = "podman";
            Endpoint = await StartPodmanServiceAsync();
        }
        else
        {
            // CI sets podman up (eng/test-prerequisites.sh); a machine without either engine cannot run these tests.
            throw new InvalidOperationException(
                "No container engine: the Docker daemon does not answer and podman is not installed. Run eng/test-prerequisites.sh as root (it installs podman and runc).");
        }

        var root = FindRepositoryRoot();
        var build = await RunAsync("bash", Path.Combine(root, "eng", "build-runner-image.sh"), "--engine", Engine);
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"eng/build-runner-image.sh failed ({build.ExitCode}): {build.Stderr}");
        }

        RunnerImage = build.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
    }

    public async Task DisposeAsync()
    {
        // Whatever a test left behind (a failed start, a crash before its own dispose) goes with the session.
        if (Engine.Length > 0)
        {
            var left = await RunAsync(Engine, "ps", "-aq", "--filter", $"label={SessionLabel}={Session}");
            foreach (var id in left.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                await RunAsync(Engine, "rm", "-f", id);
            }
        }

        if (_podmanService is { HasExited: false })
        {
            _podmanService.Kill(entireProcessTree: true);
            await _podmanService.WaitForExitAsync();
        }

        _podmanService?.Dispose();
        if (_socketDirectory is not null)
        {
            Directory.Delete(_socketDirectory, recursive: true);
        }
    }

    private async Task<Uri> StartPodmanServiceAsync()
    {
        _socketDirectory = Directory.CreateTempSubdirectory("livepeer-podman-").FullName;
        var socket = Path.Combine(_socketDirectory, "podman.sock");
        var info = new ProcessStartInfo("podman", ["system", "service", "--time=0", $"unix://{socket}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _podmanService = Process.Start(info)!;
        _podmanService.OutputDataReceived += (_, _) => { };
        _podmanService.ErrorDataReceived += (_, _) => { };
        _podmanService.BeginOutputReadLine();
        _podmanService.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_podmanService.HasExited)
            {
                throw new InvalidOperationException($"podman system service exited with {_podmanService.ExitCode}");
            }

            if (File.Exists(socket) && await AnswersAsync(socket))
            {
                return new Uri($"unix://{socket}");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"podman system service did not answer on {socket} within 30 s");
    }

    private static async Task<bool> AnswersAsync(string socket)
    {
        using var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                return new NetworkStream(s, ownsSocket: true);
            },
        });
        try
        {
            using var response = await client.GetAsync("http://podman/_ping");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string file, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, args)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout, await stderr);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", e.Message);
        }
    }

    public static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LivepeerAspire.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("LivepeerAspire.sln not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class Engine : ICollectionFixture<EngineFixture>
{
    public const string Name = "Container engine";
}
