using System.Diagnostics.CodeAnalysis;

namespace LivepeerAspire.Runner.Simulated.Profiles;

/// <summary>Lookups over a validated profile file: GPUs by name, models by id or alias (both case-insensitive).</summary>
public sealed class ProfileCatalog
{
    private readonly Dictionary<string, GpuProfile> gpus;
    private readonly Dictionary<string, ModelEntry> models;

    public ProfileCatalog(ProfileFile file, string source)
    {
        File = file;
        Source = source;
        gpus = file.Gpus.ToDictionary(g => g.Name, StringComparer.OrdinalIgnoreCase);
        models = new Dictionary<string, ModelEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var model in file.Models)
        {
            models[model.Id] = model;
            foreach (var alias in model.Aliases ?? [])
            {
                models[alias] = model;
            }
        }
    }

    public ProfileFile File { get; }

    /// <summary>Path of the file the catalog was read from.</summary>
    public string Source { get; }

    public IEnumerable<string> GpuNames => File.Gpus.Select(g => g.Name);

    public bool TryGetGpu(string name, [NotNullWhen(true)] out GpuProfile? profile) => gpus.TryGetValue(name, out profile);

    public bool TryGetModel(string idOrAlias, [NotNullWhen(true)] out ModelEntry? model) => models.TryGetValue(idOrAlias, out model);

    public static string RuntimeOf(ModelEntry model, QuantizationEntry quant) => quant.Runtime ?? model.Runtime ?? "";

    /// <summary>Whether the profile has the figure the model's class needs on this pipeline.</summary>
    public static bool HasFigure(GpuProfile gpu, ModelEntry model, string quantization) => model.Class switch
    {
        "sd15" or "sdxl" or "svd" or "sd-upscaler" => gpu.Diffusion.ContainsKey(model.Class),
        "whisper" => gpu.Audio.ContainsKey(model.Class),
        "parler" => gpu.Speech.ContainsKey(model.Class),
        "sam2" or "blip" => gpu.PerImage.ContainsKey(model.Class),
        "llm" => gpu.Llm.ContainsKey(quantization),
        _ => false,
    };

    public static readonly string[] KnownClasses = ["sd15", "sdxl", "svd", "sd-upscaler", "whisper", "parler", "sam2", "blip", "llm"];
}
