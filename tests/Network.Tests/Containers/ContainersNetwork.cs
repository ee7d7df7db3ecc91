using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using LivepeerAspire.Network.Tests.Infrastructure;
using LivepeerAspire.Network.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace LivepeerAspire.Network.Tests.Containers;

/// <summary>
/// containers.json through the AppHost: o2's GPU is the local runner image in a container, run by whichever engine
/// answers (podman here, set up by eng/test-prerequisites.sh). The image is built first (a quick check when it is
/// current). DCP removes the containers it started when the network stops.
/// </summary>
public class ContainersNetworkFixture() : TopologyNetworkFixture("containers.json")
{
    public const string ContainerRunner = "runner-o2-gpu0";
    public const string MissingImageRunner = "runner-o3-gpu0";
    public const string KilledRunner = "runner-o5-gpu0";
    public const string ExitingRunner = "runner-o4-gpu0";
    public const string UnhealthyRunner = "runner-o6-gpu0";

    protected override IReadOnlySet<string> ExpectedFailures { get; } = new HashSet<string>
    {
        MissingImageRunner, "orchestrator-o3", ExitingRunner, "orchestrator-o4", UnhealthyRunner, "orchestrator-o6",
    };

    /// <summary>The engine the AppHost chose (docker if it answered, else podman) and told DCP.</summary>
    public string Engine => Network.App.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["ASPIRE_CONTAINER_RUNTIME"] ?? "docker";

    protected override async Task PrepareAsync()
    {
        var script = Path.Combine(NetworkFixture.RepositoryRoot, "eng", "build-runner-image.sh");
        var (exitCode, output) = await RunAsync("bash", script);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"The local runner image could not be built (eng/build-runner-image.sh exited {exitCode}): {output}");
        }
    }

    /// <summary>
    /// Every runner container this test process's AppHost started (labelled with its process id), removed with the engine
    /// itself: DCP removes them on a clean stop, but not always after a start that failed on a busy machine.
    /// </summary>
    protected override async Task CleanUpAsync()
    {
        foreach (var engine in new[] { "podman", "docker" })
        {
            var (listed, ids) = await RunStdoutAsync(engine, "ps", "-aq", "--filter", $"label={LivepeerAspire.AppHost.Topology.TopologyComposer.AppHostPidLabel}={Environment.ProcessId}");
            foreach (var id in listed == 0 ? ids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [])
            {
                await RunAsync(engine, "rm", "-f", id);
            }
        }
    }

    /// <summary>The resource's console log as the dashboard shows it: every line Aspire has for it.</summary>
    public async Task<string> LogOfAsync(string resource)
    {
        var loggers = Network.App.Services.GetRequiredService<ResourceLoggerService>();
        var model = Network.App.Services.GetRequiredService<DistributedApplicationModel>();
        var text = new System.Text.StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var batch in loggers.GetAllAsync(model.Resources.Single(r => r.Name == resource)).WithCancellation(timeout.Token))
        {
            foreach (var line in batch)
            {
                text.AppendLine(line.Content);
            }
        }

        return text.ToString();
    }

    /// <summary>What the container itself printed, as its engine keeps it.</summary>
    public async Task<string> ContainerLogAsync(string resource)
    {
        var (_, output) = await RunAsync(Engine, "logs", await ContainerIdAsync(resource));
        return output;
    }

    /// <summary>The container DCP runs for <paramref name="resource"/>, by the name it gives it (resource name + suffix).</summary>
    public async Task<string> ContainerIdAsync(string resource)
    {
        var (_, output) = await RunAsync(Engine, "ps", "--filter", $"name=^{resource}-", "--format", "{{.ID}}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Single();
    }

    private static async Task<(int ExitCode, string Stdout)> RunStdoutAsync(string file, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, "");
        }
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}

[CollectionDefinition(Name)]
public sealed class ContainersNetwork : ICollectionFixture<ContainersNetworkFixture>
{
    public const string Name = "Containers network";
}
