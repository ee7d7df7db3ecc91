using System.Security.Cryptography;
using System.Text;
using LivepeerAspire.Protocol.Wire;
using LivepeerAspire.Runner.Simulated.Gpus;

namespace LivepeerAspire.Runner.Simulated.Api;

/// <summary>/hardware/info with the simulator's additions: <c>time_scale</c> and <c>profile</c>.</summary>
public sealed record SimulatedHardwareInformation(
    string Pipeline, string ModelId, Dictionary<string, GpuComputeInfo> GpuInfo, double TimeScale, string Profile);

/// <summary>A GPU's /health, /hardware/info, /hardware/stats and /version, as the ai-runner serves them.</summary>
public static class InfoEndpoints
{
    public const string RunnerVersion = "0.14.1";

    /// <summary>OK while the model can be served; ERROR when it does not fit in VRAM (the real runner would fail to start).</summary>
    public static Task HealthAsync(HttpContext ctx, SimulatedGpu gpu, CancellationToken ct) =>
        ctx.Response.WriteAsJsonAsync(
            new HealthCheck(gpu.Placement.Kind == PlacementKind.DoesNotFit ? HealthCheck.Error : HealthCheck.Ok), WireJson.Options, ct);

    public static Task HardwareInfoAsync(HttpContext ctx, SimulatedGpu gpu, CancellationToken ct)
    {
        var p = gpu.Config.Profile;
        var cc = p.ComputeCapability.Split('.');
        var info = new GpuComputeInfo(Uuid(gpu), p.DeviceName, p.VramBytes, MemoryFree(gpu), int.Parse(cc[0]), int.Parse(cc[1]));
        return ctx.Response.WriteAsJsonAsync(
            new SimulatedHardwareInformation(gpu.Config.Pipeline.Name, gpu.Config.ModelId, new() { ["0"] = info }, gpu.Clock.TimeScale, p.Name),
            WireJson.Options, ct);
    }

    public static Task HardwareStatsAsync(HttpContext ctx, SimulatedGpu gpu, CancellationToken ct)
    {
        var p = gpu.Config.Profile;
        var free = MemoryFree(gpu);
        var compute = (int)Math.Round(100.0 * Math.Min(gpu.InService, gpu.Config.Parallelism) / gpu.Config.Parallelism);
        var memory = (int)Math.Round(100.0 * (p.VramBytes - free) / p.VramBytes);
        var stats = new GpuUtilizationInfo(Uuid(gpu), p.DeviceName, p.VramBytes, free, compute, memory);
        return ctx.Response.WriteAsJsonAsync(new HardwareStats(gpu.Config.Pipeline.Name, gpu.Config.ModelId, new() { ["0"] = stats }), WireJson.Options, ct);
    }

    public static Task VersionAsync(HttpContext ctx, SimulatedGpu gpu, CancellationToken ct) =>
        ctx.Response.WriteAsJsonAsync(
            new Protocol.Wire.RunnerVersion(gpu.Config.Pipeline.Name, gpu.Config.ModelId, RunnerVersion)
            {
                // The proposed ai-runner extension: per-step progress on the batch diffusion routes.
                Progress = gpu.Config.Pipeline.Name is "text-to-image" or "image-to-image" or "image-to-video" or "upscale" ? StepProgress.Support : null,
            },
            WireJson.Options,
            ct);

    private static long MemoryFree(SimulatedGpu gpu)
    {
        var total = gpu.Config.Profile.VramBytes;
        var used = gpu.IsLoaded ? (long)(gpu.Placement.VramNeedGB * 1024 * 1024 * 1024) : 0;
        return Math.Max(0, total - used);
    }

    /// <summary>A stable NVML-style UUID per GPU id.</summary>
    private static string Uuid(SimulatedGpu gpu)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("simulated-gpu/" + gpu.Id));
        return "GPU-" + new Guid(hash.AsSpan(0, 16)).ToString();
    }
}
