namespace LivepeerAspire.Runner.Simulated.Profiles;

/// <summary>The GPU profile file (Profiles/gpu-profiles.json): per-GPU service-time figures and a model catalog.</summary>
public sealed class ProfileFile
{
    public int Version { get; init; }
    public string? Notes { get; init; }
    public required Dictionary<string, ColdLoadFigure> ColdLoad { get; init; }
    public required BatchingFigure Batching { get; init; }
    public required ValueFigure WarmLoadSeconds { get; init; }
    public required List<ModelEntry> Models { get; init; }
    public required List<GpuProfile> Gpus { get; init; }
}

/// <summary>Loading weights that are already on disk: fixed seconds plus seconds per GB, per runtime.</summary>
public sealed class ColdLoadFigure
{
    public double FixedSeconds { get; init; }
    public double SecondsPerGB { get; init; }
    public string? Source { get; init; }

    public double SecondsFor(double sizeGB) => FixedSeconds + SecondsPerGB * sizeGB;
}

/// <summary>Per-stream slowdown when n jobs share a GPU (continuous batching): 1 + alpha × (n − 1).</summary>
public sealed class BatchingFigure
{
    public double Alpha { get; init; }
    public string? Source { get; init; }

    public double Slowdown(int concurrent) => 1 + Alpha * Math.Max(0, concurrent - 1);
}

public sealed class ValueFigure
{
    public double Value { get; init; }
    public string? Source { get; init; }
}

public sealed class ModelEntry
{
    public required string Id { get; init; }
    public required List<string> Pipelines { get; init; }
    /// <summary>Service-time class: sd15, sdxl, svd, sd-upscaler, whisper, sam2, blip, parler, llm.</summary>
    public required string Class { get; init; }
    /// <summary>Default runtime (diffusers, transformers, ollama, vllm); a quantisation may override it.</summary>
    public string? Runtime { get; init; }
    /// <summary>Steps the model always runs (Turbo/Lightning), whatever the request asks.</summary>
    public int? FixedSteps { get; init; }
    /// <summary>Frames per clip (image-to-video).</summary>
    public int? Frames { get; init; }
    public int? UpscaleFactor { get; init; }
    /// <summary>Weight size relative to an 8B Llama-3 at the same quantisation (LLM decode is bandwidth-bound).</summary>
    public double? LlmScale { get; init; }
    public string? ParameterSize { get; init; }
    public string? Family { get; init; }
    public List<string>? Aliases { get; init; }
    public required string DefaultQuantization { get; init; }
    public required Dictionary<string, QuantizationEntry> Quantizations { get; init; }
    public string? Notes { get; init; }
}

public sealed class QuantizationEntry
{
    public string? Runtime { get; init; }
    public double VramGB { get; init; }
    public double SizeGB { get; init; }
    public string? Source { get; init; }
}

public sealed class GpuProfile
{
    public required string Name { get; init; }
    public required string DeviceName { get; init; }
    public double VramGB { get; init; }
    public double BandwidthGBs { get; init; }
    public required string ComputeCapability { get; init; }
    public string? HardwareSource { get; init; }
    public double? ColdLoadFactor { get; init; }
    public Dictionary<string, DiffusionFigure> Diffusion { get; init; } = [];
    public Dictionary<string, RealTimeFigure> Audio { get; init; } = [];
    public Dictionary<string, RealTimeFigure> Speech { get; init; } = [];
    public Dictionary<string, PerImageFigure> PerImage { get; init; } = [];
    public Dictionary<string, LlmFigure> Llm { get; init; } = [];
    public Dictionary<string, OffloadFigure> CpuOffload { get; init; } = [];

    public long VramBytes => (long)(VramGB * 1024 * 1024 * 1024);
}

/// <summary>One published diffusion time: <see cref="Seconds"/> for refSteps at refWidth × refHeight.</summary>
public sealed class DiffusionFigure
{
    public double Seconds { get; init; }
    public int RefSteps { get; init; }
    public int RefWidth { get; init; }
    public int RefHeight { get; init; }
    public double OverheadSeconds { get; init; }
    public string? Source { get; init; }

    public double SecondsFor(int steps, long pixels) =>
        OverheadSeconds + (Seconds - OverheadSeconds) * ((double)steps / RefSteps) * ((double)pixels / ((long)RefWidth * RefHeight));
}

/// <summary>Processing time = overhead + real-time factor × media seconds.</summary>
public sealed class RealTimeFigure
{
    public double RealTimeFactor { get; init; }
    public double OverheadSeconds { get; init; }
    public string? Source { get; init; }

    public double SecondsFor(double mediaSeconds) => OverheadSeconds + RealTimeFactor * mediaSeconds;
}

public sealed class PerImageFigure
{
    public double Seconds { get; init; }
    public string? Source { get; init; }
}

public sealed class LlmFigure
{
    public double PrefillTokensPerSecond { get; init; }
    public double DecodeTokensPerSecond { get; init; }
    public string? Source { get; init; }
}

/// <summary>Serving a model that does not fit with CPU offload: the VRAM it then needs and the slowdown.</summary>
public sealed class OffloadFigure
{
    public double Slowdown { get; init; }
    public double VramGB { get; init; }
    public string? Source { get; init; }
}
