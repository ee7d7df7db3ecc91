using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using LivepeerAspire.AppHost.Resources;
using LivepeerAspire.AppHost.Topology;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LivepeerAspire.Networks;

public sealed record LivepeerNetworkOptions
{
    public required string TopologyFile { get; init; }

    /// <summary>0 (default) = any free port, so tests never clash with a running AppHost.</summary>
    public int GatewayPort { get; init; }

    /// <summary>Where fleet.json, aiModels.json, keys and the ledger go; a fresh temporary folder when null (deleted on dispose).</summary>
    public string? RunDirectory { get; init; }

    public TimeSpan HealthyTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Resources a test means to fail (a missing image, a runner that exits): the network is ready without them.</summary>
    public IReadOnlySet<string> ExpectedFailures { get; init; } = new HashSet<string>();
}

/// <summary>
/// A whole network started from a topology through the real AppHost (Aspire.Hosting.Testing: the same composition,
/// DCP and resources as <c>dotnet run --project AppHost</c>), for tests and load-test experiments. It is ready once
/// every resource is healthy; disposing it stops DCP and every process it started, also when start-up failed.
/// </summary>
public sealed class LivepeerNetwork : IAsyncDisposable
{
    private readonly bool ownsRunDirectory;
    private readonly IReadOnlyList<IResource> resources;

    private readonly IReadOnlySet<string> expectedFailures;

    private LivepeerNetwork(DistributedApplication app, IReadOnlyList<IResource> resources, string runDirectory, bool ownsRunDirectory,
        IReadOnlySet<string> expectedFailures)
    {
        this.expectedFailures = expectedFailures;
        App = app;
        this.resources = resources;
        RunDirectory = runDirectory;
        this.ownsRunDirectory = ownsRunDirectory;
    }

    public DistributedApplication App { get; }

    public string RunDirectory { get; }

    public TimeSpan TimeToHealthy { get; private set; }

    /// <summary>Every resource's name, as the dashboard lists it.</summary>
    public IReadOnlyList<string> ResourceNames => resources.Select(r => r.Name).ToList();

    public string GatewayUrl => UrlOf(Single(LivepeerRole.Gateway).Name)!;

    /// <summary>Gateway replica resource name (gateway-1, gateway-2 …) → its own URL, beside the shared <see cref="GatewayUrl"/>; empty for a single gateway.</summary>
    public IReadOnlyDictionary<string, string> GatewayReplicaUrls =>
        resources.Where(r => RoleOf(r)?.Role == LivepeerRole.GatewayReplica).ToDictionary(r => r.Name, r => UrlOf(r.Name)!);

    public string? SimulatorUrl => resources.FirstOrDefault(r => RoleOf(r)?.Role == LivepeerRole.Simulator) is { } s ? UrlOf(s.Name) : null;

    /// <summary>Orchestrator name (as in the topology, replicas expanded) → its URL (also its service URI).</summary>
    public IReadOnlyDictionary<string, string> OrchestratorUrls =>
        resources.Where(r => RoleOf(r)?.Role == LivepeerRole.Orchestrator).ToDictionary(r => RoleOf(r)!.Orchestrator!, r => UrlOf(r.Name)!);

    /// <summary>The resource name of the orchestrator named <paramref name="orchestrator"/> in the topology.</summary>
    public string OrchestratorResource(string orchestrator) =>
        resources.Single(r => RoleOf(r) is { Role: LivepeerRole.Orchestrator } role && role.Orchestrator == orchestrator).Name;

    public string? UrlOf(string resourceName) =>
        resources.Single(r => r.Name == resourceName) is IResourceWithEndpoints withEndpoints
        && withEndpoints.Annotations.OfType<EndpointAnnotation>().FirstOrDefault() is { Port: { } port } endpoint
            ? $"{endpoint.UriScheme}://127.0.0.1:{port}"
            : null;

    /// <summary>The resource's state as the dashboard shows it (Running, Exited, FailedToStart …).</summary>
    public string? StateOf(string resourceName) =>
        App.Services.GetRequiredService<ResourceNotificationService>().TryGetCurrentState(resourceName, out var e) ? e.Snapshot.State?.Text : null;

    /// <summary>Runs a dashboard command (a fault button, <c>resource-stop</c>, <c>resource-start</c>, <c>resource-restart</c> …).</summary>
    public async Task<ExecuteCommandResult> ExecuteCommandAsync(string resourceName, string command, CancellationToken ct = default) =>
        await App.ResourceCommands.ExecuteCommandAsync(resourceName, command, ct);

    public async Task WaitForHealthyAsync(string resourceName, CancellationToken ct = default) =>
        await App.ResourceNotifications.WaitForResourceHealthyAsync(resourceName, ct);

    public static async Task<LivepeerNetwork> StartAsync(LivepeerNetworkOptions options, CancellationToken ct = default)
    {
        // A topology the AppHost would refuse is refused here with its reason, before Aspire starts anything.
        TopologyReader.Load(Path.GetFullPath(options.TopologyFile));
        var ownsRunDirectory = options.RunDirectory is null;
        var runDirectory = options.RunDirectory ?? Path.Combine(Path.GetTempPath(), "livepeer-aspire", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid():N}"[..32]);
        string[] args = ["--topology", Path.GetFullPath(options.TopologyFile), "--gateway-port", options.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--run-dir", runDirectory];
        // No dashboard: tests and experiments read the resources directly; the browser test runs the AppHost as a user does.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(args, (appOptions, _) =>
        {
            appOptions.DisableDashboard = true;
            appOptions.AllowUnsecuredTransport = true;
        }, ct);
        // The services' console logs stay in the run; an experiment's console shows its own progress and warnings.
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        var resources = builder.Resources.ToList();
        var app = await builder.BuildAsync(ct);
        var network = new LivepeerNetwork(app, resources, runDirectory, ownsRunDirectory, options.ExpectedFailures);
        try
        {
            var clock = Stopwatch.StartNew();
            await app.StartAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.HealthyTimeout);
            await Task.WhenAll(resources.Where(r => RoleOf(r) is not null)
                .Select(r => network.WaitUntilHealthyAsync(r, timeout.Token)));
            network.TimeToHealthy = clock.Elapsed;
            return network;
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        if (ownsRunDirectory)
        {
            try
            {
                Directory.Delete(RunDirectory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    private async Task WaitUntilHealthyAsync(IResource resource, CancellationToken ct)
    {
        try
        {
            await App.ResourceNotifications.WaitForResourceAsync(resource.Name, e => SettledWait.IsSettled(e.Snapshot), ct);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{resource.Name} was not healthy in time; its state: {StateOf(resource.Name) ?? "unknown"}");
        }

        if (StateOf(resource.Name) is { } final && final != KnownResourceStates.Running && !expectedFailures.Contains(resource.Name))
        {
            throw new InvalidOperationException($"{resource.Name} did not start: {final}");
        }
    }

    private IResource Single(LivepeerRole role) => resources.Single(r => RoleOf(r)?.Role == role);

    private static LivepeerRoleAnnotation? RoleOf(IResource resource) => resource.Annotations.OfType<LivepeerRoleAnnotation>().FirstOrDefault();
}
