namespace LivepeerAspire.Runner.Simulated.Gpus;

public enum FailureKind
{
    /// <summary>The runner's per-route 500 (errors fault).</summary>
    PipelineError,

    /// <summary>An input too large for the GPU (oom fault).</summary>
    OutOfMemory,

    /// <summary>The model does not fit in VRAM and may not be offloaded.</summary>
    ModelDoesNotFit,

    /// <summary>The bounded queue is full.</summary>
    QueueFull,
}

/// <summary>A simulated failure; each API turns it into its own status and body.</summary>
public sealed class SimulatedFailureException(FailureKind kind, string detail) : Exception(detail)
{
    public FailureKind Kind { get; } = kind;
}

/// <summary>The GPU is crashed or in the down phase of a flap: the connection is dropped.</summary>
public sealed class GpuDownException(string gpuId) : Exception($"GPU {gpuId} is down");
