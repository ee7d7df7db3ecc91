using System.Diagnostics;

namespace LivepeerAspire.AppHost.Hosting;

/// <summary>
/// docker or podman, whichever answers <c>info</c>; detected once. podman runs with runc and explicit ulimits
/// because the default crun fails on these machines (see docs/apphost.md).
/// </summary>
internal sealed class ContainerEngine
{
    private static readonly Lazy<Task<ContainerEngine?>> Detected = new(DetectAsync);

    private ContainerEngine(string command, string path)
    {
        Command = command;
        Path = path;
    }

    public string Command { get; }

    public string Path { get; }

    public static Task<ContainerEngine?> GetAsync() => Detected.Value;

    public IReadOnlyList<string> RunArguments(string containerName, ContainerResource resource, int? hostPort, IReadOnlyDictionary<string, string> environment)
    {
        var args = new List<string>();
        if (Command == "podman")
        {
            args.AddRange(["--runtime", "runc"]);
        }

        args.AddRange(["run", "--rm", "--name", containerName]);
        if (Command == "podman")
        {
            args.AddRange(["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]);
        }

        if (hostPort is not null)
        {
            args.AddRange(["-p", $"127.0.0.1:{hostPort}:{resource.TargetPort ?? hostPort}"]);
        }

        foreach (var (key, value) in environment)
        {
            args.AddRange(["-e", $"{key}={value}"]);
        }

        args.Add(resource.Image);
        args.AddRange(resource.Args);
        return args;
    }

    public async Task RemoveAsync(string containerName)
    {
        await RunQuietAsync(Path, ["rm", "-f", containerName], TimeSpan.FromSeconds(15));
    }

    private static async Task<ContainerEngine?> DetectAsync()
    {
        foreach (var name in new[] { "podman", "docker" })
        {
            var path = ExecutableLocator.Find(name);
            if (path is not null && await RunQuietAsync(path, ["info"], TimeSpan.FromSeconds(10)) == 0)
            {
                return new ContainerEngine(name, path);
            }
        }

        return null;
    }

    private static async Task<int> RunQuietAsync(string path, string[] args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(psi)!;
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
                return process.ExitCode;
            }
            catch (OperationCanceledException)
            {
                ProcessSignals.KillNow(process);
                return -1;
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}

internal static class ExecutableLocator
{
    public static string? Find(string command)
    {
        if (command.Contains(System.IO.Path.DirectorySeparatorChar))
        {
            return File.Exists(command) ? command : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);
    }
}
