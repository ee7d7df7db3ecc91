using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Running;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>One GPU's service time for the scenario's job, measured directly on the simulator.</summary>
public sealed record GpuServiceTime(GpuInfo Gpu, double MeasuredMs, double? ExpectedRealSeconds);

/// <summary>
/// Measures the fleet's capacity for a job kind by sending the very request the scenario sends straight to each
/// simulated GPU (bypassing gateway and orchestrator): twice per GPU, all GPUs at once, keeping the faster of
/// the two (the first may include a cold model load). Capacity = Σ parallelism ÷ service time.
/// </summary>
public static class CapacityProbe
{
    public static async Task<IReadOnlyList<GpuServiceTime>> MeasureAsync(
        HttpClient http, Uri simulator, IEnumerable<GpuInfo> gpus, Scenario scenario, JobKind kind, int seed,
        IReadOnlyDictionary<string, string> models, TimeSpan timeout, CancellationToken cancel)
    {
        var executor = new JobExecutor(http, TimeProvider.System);
        var tasks = gpus.Select(async gpu =>
        {
            var factory = new JobRequestFactory(new Uri(simulator, $"gpus/{Uri.EscapeDataString(gpu.Id)}/"), scenario, seed, models);
            var best = double.NaN;
            for (var i = 0; i < 2; i++)
            {
                var planned = new PlannedRequest(i, kind, null);
                var record = await executor.ExecuteAsync(planned, factory.Create(planned), TimeProvider.System.GetTimestamp(), null, "probe", timeout, cancel);
                if (!record.IsOk)
                {
                    throw new UsageException($"capacity probe of GPU {gpu.Id} failed: {record.Error}; pass --capacity JOBS_PER_SECOND to skip the probe");
                }

                best = double.IsNaN(best) ? record.ServiceMs : Math.Min(best, record.ServiceMs);
            }

            return new GpuServiceTime(gpu, best, CapacityModel.ServiceSeconds(gpu.Profile, gpu.Pipeline));
        });
        return await Task.WhenAll(tasks);
    }

    public static double Capacity(IEnumerable<GpuServiceTime> times) =>
        times.Sum(t => t.MeasuredMs > 0 ? t.Gpu.Parallelism / (t.MeasuredMs / 1000) : 0);
}
