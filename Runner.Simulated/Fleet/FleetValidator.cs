using System.Diagnostics;
using System.Text.RegularExpressions;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Runner.Simulated.Faults;
using LivepeerAspire.Runner.Simulated.Profiles;

namespace LivepeerAspire.Runner.Simulated.Fleet;

/// <summary>Turns a fleet file into a <see cref="FleetConfig"/>, or throws naming the file, JSON path and reason.</summary>
public static partial class FleetValidator
{
    public const double DefaultNoiseCv = 0.1;
    public const int DefaultQueueLimit = 64;

    public static FleetConfig Load(string path, ProfileCatalog profiles, double? timeScaleOverride = null, int? seedOverride = null)
    {
        var file = StrictJson.ParseFile<FleetFile>(path);
        return Resolve(file, path, profiles, timeScaleOverride, seedOverride);
    }

    public static FleetConfig Resolve(FleetFile file, string name, ProfileCatalog profiles, double? timeScaleOverride = null, int? seedOverride = null)
    {
        void Fail(string path, string reason) => throw new ConfigFileException(name, path, reason);

        var timeScale = timeScaleOverride ?? file.TimeScale ?? 1.0;
        if (!(timeScale > 0) || timeScale > 1000 || double.IsInfinity(timeScale))
        {
            Fail(timeScaleOverride is null ? "$.timeScale" : "Simulator:TimeScale", $"must be above 0 and at most 1000 (got {timeScale}); 1 = real time, 0.01 = 100x faster");
        }

        var fleetCv = file.NoiseCv ?? DefaultNoiseCv;
        CheckCv(fleetCv, "$.noiseCv", Fail);
        if (file.Gpus.Count == 0)
        {
            Fail("$.gpus", "the fleet has no GPUs");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var gpus = new List<GpuConfig>();
        for (var i = 0; i < file.Gpus.Count; i++)
        {
            gpus.Add(ResolveGpu(file.Gpus[i], $"$.gpus[{i}]", profiles, fleetCv, ids, Fail));
        }

        return new FleetConfig(name, timeScale, seedOverride ?? file.Seed ?? 42, profiles, gpus);
    }

    private static GpuConfig ResolveGpu(GpuSpec g, string p, ProfileCatalog profiles, double fleetCv, HashSet<string> ids, Action<string, string> fail)
    {
        if (!IdPattern().IsMatch(g.Id))
        {
            fail(p + ".id", $"'{g.Id}' is not a usable id (letters, digits, '.', '_', '-'; it becomes the URL segment /gpus/{{id}}/)");
        }

        if (!ids.Add(g.Id))
        {
            fail(p + ".id", $"GPU id '{g.Id}' is used twice");
        }

        if (!profiles.TryGetGpu(g.Profile, out var profile))
        {
            fail(p + ".profile", $"unknown GPU profile '{g.Profile}'; known: {string.Join(", ", profiles.GpuNames)}");
            throw new UnreachableException();
        }

        if (!PipelineCatalog.TryGet(g.Pipeline, out var pipeline))
        {
            fail(p + ".pipeline", $"unknown pipeline '{g.Pipeline}'; known: {string.Join(", ", PipelineCatalog.All)}");
            throw new UnreachableException();
        }

        var modelId = string.IsNullOrWhiteSpace(g.ModelId) ? pipeline.DefaultModelId : g.ModelId;
        if (!profiles.TryGetModel(modelId, out var model))
        {
            var known = profiles.File.Models.Where(m => m.Pipelines.Contains(pipeline.Name)).Select(m => m.Id);
            fail(p + ".modelId", $"model '{modelId}' is not in the profile catalog ({profiles.Source}); known for {pipeline.Name}: {string.Join(", ", known)}");
            throw new UnreachableException();
        }

        if (!model.Pipelines.Contains(pipeline.Name))
        {
            fail(p + ".modelId", $"model '{modelId}' does not serve {pipeline.Name} (it serves {string.Join(", ", model.Pipelines)})");
        }

        var quantization = g.Quantization ?? model.DefaultQuantization;
        if (!model.Quantizations.TryGetValue(quantization, out var quant))
        {
            fail(p + ".quantization", $"model '{model.Id}' has no quantization '{quantization}'; known: {string.Join(", ", model.Quantizations.Keys)}");
            throw new UnreachableException();
        }

        if (!ProfileCatalog.HasFigure(profile, model, quantization))
        {
            fail(p + ".profile", $"profile '{profile.Name}' has no service-time figure for {model.Class} ({quantization}); add one to the profile file");
        }

        if (g.Parallelism is < 1 or > 256)
        {
            fail(p + ".parallelism", "must be between 1 and 256");
        }

        if (g.QueueLimit is < 0 or > 100_000)
        {
            fail(p + ".queueLimit", "must be between 0 and 100000");
        }

        TimeSpan? keepAlive = null;
        if (g.KeepAlive is { } ka)
        {
            if (!KeepAlive.TryParse(ka, out var parsed, out var error))
            {
                fail(p + ".keepAlive", error);
            }

            keepAlive = parsed;
        }

        var cv = g.NoiseCv ?? fleetCv;
        CheckCv(cv, p + ".noiseCv", fail);
        var faults = g.Faults ?? [];
        for (var j = 0; j < faults.Count; j++)
        {
            if (FaultKinds.Check(faults[j], pipeline.Name) is { } problem)
            {
                fail($"{p}.faults[{j}].{problem.Member}", problem.Reason);
            }
        }

        return new GpuConfig(
            g.Id, profile, pipeline, modelId, model, quantization, quant, ProfileCatalog.RuntimeOf(model, quant),
            g.Warm ?? true, g.Parallelism ?? 1, g.QueueLimit ?? DefaultQueueLimit, g.CpuOffload ?? false,
            keepAlive, cv, string.IsNullOrEmpty(g.AuthToken) ? null : g.AuthToken, faults);
    }

    private static void CheckCv(double cv, string path, Action<string, string> fail)
    {
        if (!(cv >= 0 && cv <= 1))
        {
            fail(path, $"must be between 0 and 1 (coefficient of variation of service times; got {cv})");
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex IdPattern();
}
