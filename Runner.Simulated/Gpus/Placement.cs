using LivepeerAspire.Runner.Simulated.Fleet;

namespace LivepeerAspire.Runner.Simulated.Gpus;

public enum PlacementKind
{
    /// <summary>The model fits in VRAM.</summary>
    Gpu,

    /// <summary>It does not, and is served with CPU offload (slower).</summary>
    CpuOffload,

    /// <summary>It does not, and cannot be offloaded: loading fails with an out-of-memory error.</summary>
    DoesNotFit,
}

/// <summary>Where a GPU's model lives: decided once from the model's VRAM need, the GPU's VRAM and the offload rules.</summary>
public sealed record Placement(PlacementKind Kind, double VramNeedGB, double VramGB, double Slowdown)
{
    public static Placement For(GpuConfig gpu)
    {
        var need = gpu.Quant.VramGB;
        var have = gpu.Profile.VramGB;
        if (need <= have)
        {
            return new Placement(PlacementKind.Gpu, need, have, 1);
        }

        if (gpu.CpuOffload && gpu.Profile.CpuOffload.TryGetValue(gpu.Model.Class, out var offload) && offload.VramGB <= have)
        {
            return new Placement(PlacementKind.CpuOffload, offload.VramGB, have, offload.Slowdown);
        }

        return new Placement(PlacementKind.DoesNotFit, need, have, 1);
    }

    /// <summary>The placement's name in the admin API.</summary>
    public string Name => Kind switch
    {
        PlacementKind.Gpu => "gpu",
        PlacementKind.CpuOffload => "cpu-offload",
        _ => "does-not-fit",
    };
}
