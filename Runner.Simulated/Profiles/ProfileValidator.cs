using System.Text.RegularExpressions;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Runner.Simulated.Fleet;

namespace LivepeerAspire.Runner.Simulated.Profiles;

/// <summary>
/// Checks a profile file beyond its JSON shape: every figure positive and sourced (a source or "estimate"),
/// names unique, classes, pipelines and runtimes known. Throws on the first problem with its JSON path.
/// </summary>
public static partial class ProfileValidator
{
    public static ProfileCatalog Load(string path)
    {
        var file = StrictJson.ParseFile<ProfileFile>(path);
        Validate(file, path);
        return new ProfileCatalog(file, path);
    }

    public static void Validate(ProfileFile file, string name)
    {
        void Fail(string path, string reason) => throw new ConfigFileException(name, path, reason);

        if (file.Version != 1)
        {
            Fail("$.version", $"unsupported version {file.Version}; this simulator reads version 1");
        }

        foreach (var (runtime, load) in file.ColdLoad)
        {
            var p = $"$.coldLoad.{runtime}";
            NonNegative(load.FixedSeconds, p + ".fixedSeconds", Fail);
            NonNegative(load.SecondsPerGB, p + ".secondsPerGB", Fail);
            Sourced(load.Source, p, Fail);
        }

        if (file.Batching.Alpha is < 0 or > 1 || double.IsNaN(file.Batching.Alpha))
        {
            Fail("$.batching.alpha", "must be between 0 and 1 (per-stream slowdown per extra concurrent job)");
        }

        Sourced(file.Batching.Source, "$.batching", Fail);
        NonNegative(file.WarmLoadSeconds.Value, "$.warmLoadSeconds.value", Fail);
        Sourced(file.WarmLoadSeconds.Source, "$.warmLoadSeconds", Fail);

        var modelNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < file.Models.Count; i++)
        {
            ValidateModel(file, file.Models[i], $"$.models[{i}]", modelNames, Fail);
        }

        var gpuNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < file.Gpus.Count; i++)
        {
            var gpu = file.Gpus[i];
            var p = $"$.gpus[{i}]";
            if (string.IsNullOrWhiteSpace(gpu.Name) || !gpuNames.Add(gpu.Name))
            {
                Fail(p + ".name", $"GPU name '{gpu.Name}' is empty or used twice");
            }

            Positive(gpu.VramGB, p + ".vramGB", Fail);
            Positive(gpu.BandwidthGBs, p + ".bandwidthGBs", Fail);
            if (!ComputeCapabilityPattern().IsMatch(gpu.ComputeCapability))
            {
                Fail(p + ".computeCapability", $"'{gpu.ComputeCapability}' is not major.minor (e.g. \"8.9\")");
            }

            Sourced(gpu.HardwareSource, p, Fail, "hardwareSource");
            if (gpu.ColdLoadFactor is { } factor)
            {
                Positive(factor, p + ".coldLoadFactor", Fail);
            }

            foreach (var (cls, f) in gpu.Diffusion)
            {
                var q = $"{p}.diffusion.{cls}";
                KnownClass(cls, q, Fail);
                Positive(f.Seconds, q + ".seconds", Fail);
                Positive(f.RefSteps, q + ".refSteps", Fail);
                Positive(f.RefWidth, q + ".refWidth", Fail);
                Positive(f.RefHeight, q + ".refHeight", Fail);
                NonNegative(f.OverheadSeconds, q + ".overheadSeconds", Fail);
                if (f.OverheadSeconds >= f.Seconds)
                {
                    Fail(q + ".overheadSeconds", "must be smaller than seconds");
                }

                Sourced(f.Source, q, Fail);
            }

            foreach (var (section, figures) in new[] { ("audio", gpu.Audio), ("speech", gpu.Speech) })
            {
                foreach (var (cls, f) in figures)
                {
                    var q = $"{p}.{section}.{cls}";
                    KnownClass(cls, q, Fail);
                    Positive(f.RealTimeFactor, q + ".realTimeFactor", Fail);
                    NonNegative(f.OverheadSeconds, q + ".overheadSeconds", Fail);
                    Sourced(f.Source, q, Fail);
                }
            }

            foreach (var (cls, f) in gpu.PerImage)
            {
                var q = $"{p}.perImage.{cls}";
                KnownClass(cls, q, Fail);
                Positive(f.Seconds, q + ".seconds", Fail);
                Sourced(f.Source, q, Fail);
            }

            foreach (var (quant, f) in gpu.Llm)
            {
                var q = $"{p}.llm.{quant}";
                Positive(f.PrefillTokensPerSecond, q + ".prefillTokensPerSecond", Fail);
                Positive(f.DecodeTokensPerSecond, q + ".decodeTokensPerSecond", Fail);
                Sourced(f.Source, q, Fail);
            }

            foreach (var (cls, f) in gpu.CpuOffload)
            {
                var q = $"{p}.cpuOffload.{cls}";
                KnownClass(cls, q, Fail);
                if (f.Slowdown < 1 || double.IsNaN(f.Slowdown))
                {
                    Fail(q + ".slowdown", "must be at least 1 (offload never makes a job faster)");
                }

                Positive(f.VramGB, q + ".vramGB", Fail);
                Sourced(f.Source, q, Fail);
            }
        }

        if (file.Gpus.Count == 0)
        {
            Fail("$.gpus", "no GPU profiles");
        }
    }

    private static void ValidateModel(ProfileFile file, ModelEntry model, string p, HashSet<string> names, Action<string, string> fail)
    {
        foreach (var name in new[] { model.Id }.Concat(model.Aliases ?? []))
        {
            if (string.IsNullOrWhiteSpace(name) || !names.Add(name))
            {
                fail(p, $"model id or alias '{name}' is empty or used twice");
            }
        }

        KnownClass(model.Class, p + ".class", fail);
        if (model.Pipelines.Count == 0)
        {
            fail(p + ".pipelines", "lists no pipeline");
        }

        for (var j = 0; j < model.Pipelines.Count; j++)
        {
            if (!PipelineCatalog.TryGet(model.Pipelines[j], out _))
            {
                fail($"{p}.pipelines[{j}]", $"unknown pipeline '{model.Pipelines[j]}'; known: {string.Join(", ", PipelineCatalog.All)}");
            }
        }

        if (model.FixedSteps is < 1)
        {
            fail(p + ".fixedSteps", "must be at least 1");
        }

        if (model.Frames is < 1)
        {
            fail(p + ".frames", "must be at least 1");
        }

        if (model.UpscaleFactor is < 1)
        {
            fail(p + ".upscaleFactor", "must be at least 1");
        }

        if (model.Class == "llm" && model.LlmScale is not > 0)
        {
            fail(p + ".llmScale", "an llm model needs a positive llmScale (weight size relative to an 8B model)");
        }

        if (!model.Quantizations.ContainsKey(model.DefaultQuantization))
        {
            fail(p + ".defaultQuantization", $"'{model.DefaultQuantization}' is not a key of quantizations");
        }

        foreach (var (name, q) in model.Quantizations)
        {
            var qp = $"{p}.quantizations.{name}";
            Positive(q.VramGB, qp + ".vramGB", fail);
            Positive(q.SizeGB, qp + ".sizeGB", fail);
            Sourced(q.Source, qp, fail);
            var runtime = ProfileCatalog.RuntimeOf(model, q);
            if (!file.ColdLoad.ContainsKey(runtime))
            {
                fail(qp + ".runtime", $"runtime '{runtime}' has no coldLoad entry; known: {string.Join(", ", file.ColdLoad.Keys)}");
            }
        }
    }

    private static void KnownClass(string cls, string path, Action<string, string> fail)
    {
        if (!ProfileCatalog.KnownClasses.Contains(cls))
        {
            fail(path, $"unknown model class '{cls}'; known: {string.Join(", ", ProfileCatalog.KnownClasses)}");
        }
    }

    private static void Positive(double value, string path, Action<string, string> fail)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            fail(path, $"must be a positive number (got {value})");
        }
    }

    private static void NonNegative(double value, string path, Action<string, string> fail)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            fail(path, $"must be zero or positive (got {value})");
        }
    }

    private static void Sourced(string? source, string path, Action<string, string> fail, string member = "source")
    {
        if (string.IsNullOrWhiteSpace(source))
        {
            fail($"{path}.{member}", "every figure needs its source, or the word \"estimate\"");
        }
    }

    [GeneratedRegex(@"^\d+\.\d+$")]
    private static partial Regex ComputeCapabilityPattern();
}
