using System.Net.Http.Headers;
using System.Text.Json;
using LivepeerAspire.Orchestrator.Models;
using LivepeerAspire.Protocol.Wire;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Orchestrator.Runners;

/// <summary>
/// go-livepeer's runner start-up wait for external runners: poll /health every 500 ms (5 s per call) for up
/// to 2 minutes; a 200 JSON status other than ERROR is ready (LOADING included); ERROR aborts; then
/// /hardware/info and /version, falling back to an empty GPU list and "0.0.0". Runs in the background so
/// /health can report progress; jobs for a runner that is not ready get "insufficient capacity".
/// Afterwards every ready runner's /health is probed each Orchestrator:RunnerHealthInterval; after
/// <see cref="FailuresBeforeUnhealthy"/> misses in a row it is unhealthy (no jobs, not advertised) until it answers again.
/// </summary>
public sealed class RunnerStartup(
    ModelCatalog catalog,
    RunnerHttp http,
    IOptions<OrchestratorOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<RunnerStartup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var runners = catalog.Runners.ToList();
        await Task.WhenAll(runners.Select(r => StartAsync(r, stoppingToken)));
        var failed = runners.Where(r => r.State == RunnerState.Failed).ToList();
        if (failed.Count > 0 && options.Value.StopOnRunnerFailure && !stoppingToken.IsCancellationRequested)
        {
            logger.LogCritical("Stopping: {Count} runner(s) failed to start", failed.Count);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return;
        }

        if (options.Value.RunnerHealthInterval > TimeSpan.Zero)
        {
            await Task.WhenAll(runners.Where(r => r.State == RunnerState.Ready).Select(r => WatchAsync(r, stoppingToken)));
        }
    }

    internal const int FailuresBeforeUnhealthy = 2;

    internal async Task WatchAsync(RunnerEndpoint runner, CancellationToken ct)
    {
        var misses = 0;
        try
        {
            while (true)
            {
                await Task.Delay(options.Value.RunnerHealthInterval, time, ct);
                var status = await ProbeHealthAsync(runner, ct);
                if (status is not null && status != HealthCheck.Error)
                {
                    misses = 0;
                    if (runner.MarkRecovered())
                    {
                        logger.LogWarning("Runner {Url} for {Pipeline} {Model} answers again ({Status}); taking jobs", runner.BaseUrl, runner.Entry.Pipeline, runner.Entry.ModelId, status);
                    }

                    continue;
                }

                var reason = $"runner stopped answering /health ({status ?? runner.LastStatus}): {runner.Entry.Pipeline} {runner.Entry.ModelId} at {runner.BaseUrl}";
                if (++misses >= FailuresBeforeUnhealthy && runner.MarkUnhealthy(reason))
                {
                    logger.LogWarning("Runner unhealthy, no longer advertised: {Reason}", reason);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    internal async Task StartAsync(RunnerEndpoint runner, CancellationToken ct)
    {
        var o = options.Value;
        var entry = runner.Entry;
        var deadline = time.GetUtcNow() + o.RunnerStartupTimeout;
        try
        {
            while (true)
            {
                var status = await ProbeHealthAsync(runner, ct);
                if (status is not null)
                {
                    runner.ReportStatus(status);
                    if (status == HealthCheck.Error)
                    {
                        Fail(runner, $"runner reported ERROR on /health");
                        return;
                    }

                    break;
                }

                if (time.GetUtcNow() >= deadline)
                {
                    Fail(runner, $"runner was not ready within {o.RunnerStartupTimeout.TotalSeconds:0} s");
                    return;
                }

                await Task.Delay(o.RunnerPollInterval, time, ct);
            }

            var hardware = await GetJsonAsync<HardwareInformation>(runner, "hardware/info", ct)
                ?? new HardwareInformation(entry.Pipeline.Name, entry.ModelId, []);
            var reported = await GetJsonAsync<RunnerVersion>(runner, "version", ct);
            var version = reported?.Version;
            runner.MarkReady(string.IsNullOrWhiteSpace(version) ? "0.0.0" : version, hardware with { GpuInfo = hardware.GpuInfo ?? [] }, reported?.Progress is { Unit: "step" });
            logger.LogInformation("Runner {Url} for {Pipeline} {Model} is ready ({Status}, version {Version})",
                runner.BaseUrl, entry.Pipeline, entry.ModelId, runner.LastStatus, runner.Version);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private void Fail(RunnerEndpoint runner, string reason)
    {
        var message = $"{reason}: {runner.Entry.Pipeline} {runner.Entry.ModelId} at {runner.BaseUrl} (aiModels entry {runner.Entry.Index})";
        runner.MarkFailed(message);
        logger.LogCritical("Runner failed to start: {Reason}", message);
    }

    /// <summary>The status of a 200 JSON answer; null while the runner is not answering usefully.</summary>
    private async Task<string?> ProbeHealthAsync(RunnerEndpoint runner, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.RunnerCallTimeout);
        try
        {
            using var response = await http.Client.SendAsync(Request(runner, "health"), timeout.Token);
            var isJson = response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true;
            if (!response.IsSuccessStatusCode || !isJson)
            {
                runner.ReportStatus($"HTTP {(int)response.StatusCode}");
                return null;
            }

            var health = await response.Content.ReadFromJsonAsync<HealthCheck>(WireJson.Options, timeout.Token);
            return string.IsNullOrEmpty(health?.Status) ? null : health.Status;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            runner.ReportStatus(e is OperationCanceledException ? "timeout" : "unreachable");
            return null;
        }
    }

    private async Task<T?> GetJsonAsync<T>(RunnerEndpoint runner, string path, CancellationToken ct)
        where T : class
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.RunnerCallTimeout);
        try
        {
            using var response = await http.Client.SendAsync(Request(runner, path), timeout.Token);
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<T>(WireJson.Options, timeout.Token) : null;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or NotSupportedException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            logger.LogWarning("Runner {Url} /{Path} failed ({Error}); using the fallback", runner.BaseUrl, path, e.Message);
            return null;
        }
    }

    private static HttpRequestMessage Request(RunnerEndpoint runner, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(runner.BaseUrl, path));
        if (runner.Entry.Token is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }
}
