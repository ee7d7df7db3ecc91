using LivepeerAspire.Orchestrator.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LivepeerAspire.Orchestrator.Runners;

/// <summary>Unhealthy until every runner in aiModels.json is ready, so an AppHost can gate on /health.</summary>
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

        var waiting = runners.Where(r => r.State != RunnerState.Ready).ToList();
        return Task.FromResult(waiting.Count == 0
            ? HealthCheckResult.Healthy($"{runners.Count} runner(s) ready")
            : HealthCheckResult.Unhealthy(
                $"waiting for runners: {runners.Count - waiting.Count}/{runners.Count} ready; "
                + string.Join("; ", waiting.Select(r => $"{r.BaseUrl} {r.LastStatus ?? "no answer yet"}"))));
    }
}
