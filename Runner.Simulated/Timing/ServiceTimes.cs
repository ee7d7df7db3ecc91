using LivepeerAspire.Runner.Simulated.Fleet;

namespace LivepeerAspire.Runner.Simulated.Timing;

/// <summary>Nominal (noise-free, fault-free) service times from the GPU's profile figures.</summary>
public static class ServiceTimes
{
    /// <summary>One image or clip: the model's fixed steps (Turbo/Lightning) win over the requested steps.</summary>
    public static TimeSpan Diffusion(GpuConfig gpu, int requestedSteps, long pixels)
    {
        var figure = gpu.Profile.Diffusion[gpu.Model.Class];
        var steps = gpu.Model.FixedSteps ?? Math.Max(1, requestedSteps);
        return TimeSpan.FromSeconds(figure.SecondsFor(steps, pixels));
    }

    public static TimeSpan Transcription(GpuConfig gpu, double audioSeconds) =>
        TimeSpan.FromSeconds(gpu.Profile.Audio[gpu.Model.Class].SecondsFor(audioSeconds));

    public static TimeSpan Speech(GpuConfig gpu, double audioSeconds) =>
        TimeSpan.FromSeconds(gpu.Profile.Speech[gpu.Model.Class].SecondsFor(audioSeconds));

    public static TimeSpan PerImage(GpuConfig gpu) =>
        TimeSpan.FromSeconds(gpu.Profile.PerImage[gpu.Model.Class].Seconds);

    /// <summary>Prefill and decode rates for this GPU's model and quantisation (scaled from the 8B figures).</summary>
    public static (double PrefillPerSecond, double DecodePerSecond) Llm(GpuConfig gpu)
    {
        var figure = gpu.Profile.Llm[gpu.Quantization];
        var scale = gpu.Model.LlmScale ?? 1;
        return (figure.PrefillTokensPerSecond / scale, figure.DecodeTokensPerSecond / scale);
    }

    /// <summary>Speech length the simulator assumes for text: about 15 characters per second.</summary>
    public static double SpeechSeconds(string text) => Math.Max(0.5, text.Length / 15.0);
}
