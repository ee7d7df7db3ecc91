using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Runner.Ollama.Models;

/// <summary>The one model this runner serves: its HF id, the Ollama tag it maps to, and the keep_alive to send.</summary>
internal sealed class ServedModel
{
    public ServedModel(IOptions<OllamaRunnerOptions> options)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.ModelId))
        {
            throw new InvalidOperationException("OllamaRunner:ModelId must name the Hugging Face model id this runner serves");
        }

        ModelId = o.ModelId.Trim();
        OllamaTag = string.IsNullOrWhiteSpace(o.OllamaModel) ? new OllamaTagMap(o.ModelMap).Resolve(ModelId) : o.OllamaModel.Trim();
        KeepAlive = ParseKeepAlive(o.KeepAlive);
    }

    public string ModelId { get; }
    public string OllamaTag { get; }
    public JsonElement KeepAlive { get; }

    /// <summary>True when a request's model names this runner's model: empty, the HF id, or the Ollama tag.</summary>
    public bool Accepts(string requested) =>
        requested.Length == 0
        || string.Equals(requested, ModelId, StringComparison.OrdinalIgnoreCase)
        || OllamaTagMap.SameTag(requested, OllamaTag);

    /// <summary>Ollama takes keep_alive as seconds (a number) or a duration string ("10m").</summary>
    internal static JsonElement ParseKeepAlive(string? value)
    {
        var text = string.IsNullOrWhiteSpace(value) ? "-1" : value.Trim();
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
            ? JsonSerializer.SerializeToElement(seconds)
            : JsonSerializer.SerializeToElement(text);
    }
}
