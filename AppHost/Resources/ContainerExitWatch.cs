using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LivepeerAspire.AppHost.Resources;

/// <summary>
/// Shows a runner container that has stopped as Exited, with its exit code, by asking the engine itself. DCP 0.26 with
/// podman 4.3 does not notice a container that exits (at start, or killed later): the dashboard would keep it Running
/// and Unhealthy, and its orchestrator, waiting for it to become healthy, would never start or fail. The engine's list of
/// this AppHost's containers is read every two seconds.
/// </summary>
internal sealed partial class ContainerExitWatch(
    string engine,
    IReadOnlyList<(string Name, int Port)> containers,
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    ResourceLoggerService loggers)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    public static void Register(IDistributedApplicationBuilder builder, string engine, IReadOnlyList<(string Name, int Port)> containers)
    {
        if (containers.Count == 0)
        {
            return;
        }

        // Not a hosted service: the host starts those only after every resource was created, and creating an
        // orchestrator waits for its runner container, which is exactly what this watch has to unblock.
        builder.Eventing.Subscribe<BeforeStartEvent>((e, ct) =>
        {
            var sp = e.Services;
            var watch = new ContainerExitWatch(engine, containers, sp.GetRequiredService<DistributedApplicationModel>(),
                sp.GetRequiredService<ResourceNotificationService>(), sp.GetRequiredService<ResourceLoggerService>());
            var stopping = sp.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = Task.Run(() => watch.RunAsync(stopping), CancellationToken.None);
            return Task.CompletedTask;
        });
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var watching = containers.ToList();
        try
        {
            while (watching.Count > 0 && !stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(Interval, stoppingToken);
                var exitedNow = await ExitedAsync(stoppingToken);
                foreach (var (container, ports, exitCode) in exitedNow)
                {
                    // DCP names a container after its resource plus a random suffix; the host port is this AppHost's own.
                    var match = watching.FirstOrDefault(w => container.StartsWith(w.Name + "-", StringComparison.Ordinal)
                        && ports.Contains($":{w.Port.ToString(CultureInfo.InvariantCulture)}->", StringComparison.Ordinal));
                    var name = match.Name;
                    if (name is null || !notifications.TryGetCurrentState(name, out var current) || IsOver(current.Snapshot))
                    {
                        continue;
                    }

                    watching.Remove(match);
                    var resource = model.Resources.Single(r => r.Name == name);
                    loggers.GetLogger(resource).LogError("The container {Container} exited with code {ExitCode} ({Engine} ps)", container, exitCode, engine);
                    await notifications.PublishUpdateAsync(resource, s => s with
                    {
                        State = new ResourceStateSnapshot(KnownResourceStates.Exited, KnownResourceStateStyles.Error),
                        ExitCode = exitCode,
                    });
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static bool IsOver(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text is { } state && (KnownResourceStates.TerminalStates.Contains(state) || state == KnownResourceStates.FailedToStart || state == KnownResourceStates.Stopping);

    /// <summary>The containers DCP started (it labels them) that the engine reports exited, with their published ports.</summary>
    private async Task<List<(string Name, string Ports, int ExitCode)>> ExitedAsync(CancellationToken ct)
    {
        var info = new ProcessStartInfo(engine,
            ["ps", "-a", "--filter", "label=com.microsoft.developer.usvc-dev.build", "--format", "{{.Names}}\t{{.Status}}\t{{.Ports}}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var exited = new List<(string, string, int)>();
        try
        {
            using var process = Process.Start(info)!;
            var output = await process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (line.Split('\t') is [var name, var status, var ports] && ExitedStatus().Match(status) is { Success: true } m)
                {
                    exited.Add((name, ports, int.Parse(m.Groups[1].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)));
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }

        return exited;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^Exited \((-?\d+)\)")]
    private static partial System.Text.RegularExpressions.Regex ExitedStatus();
}
