using LivepeerAspire.Orchestrator.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LivepeerAspire.Orchestrator.Runners;

/// <summary>
/// Unhealthy until every runner in aiModels.json is ready, so an AppHost can gate on /health; Degraded (still 200)
/// while a runner that was ready has stopped answering.
/// </summary>
public sealed class RunnersReadyHealthCheck(ModelCatalog catalog) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var runners = catalog.Runners.ToList();
        var failed = runners.FirstOrDefault(r => r.State == RunnerState.Failed);
        if (failed is not null)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(failed.FailureReason));
        }

        var unhealthy = runners.Where(r => r.State == RunnerState.Unhealthy).ToList();
        var waiting = runners.Where(r => r.State == RunnerState.Starting).ToList();
        if (waiting.Count == 0 && unhealthy.Count > 0)
        {
            return Task.FromResult(HealthCheckResult.Degraded(string.Join("; ", unhealthy.Select(r => r.FailureReason))));
        }

        return Task.FromResult(waiting.Count == 0
            ? HealthCheckResult.Healthy($"{runners.Count} runner(s) ready")
            : HealthCheckResult.Unhealthy(
                $"waiting for runners: {runners.Count - waiting.Count}/{runners.Count} ready; "
                + string.Join("; ", waiting.Select(r => $"{r.BaseUrl} {r.LastStatus ?? "no answer yet"}"))));
    }
}
