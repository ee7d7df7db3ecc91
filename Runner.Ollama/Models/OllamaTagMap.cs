namespace LivepeerAspire.Runner.Ollama.Models;

/// <summary>
/// Hugging Face model id (what orchestrators advertise) → Ollama tag (what Ollama pulls and runs).
/// The built-in rows are the ones documented for the Cloud SPE livepeer-ollama-runner, plus the llm
/// pipeline default as PipelineCatalog spells it and Llama 3 8B; ids compare case-insensitively, as on
/// the Hugging Face hub.
/// </summary>
public sealed class OllamaTagMap
{
    public static IReadOnlyDictionary<string, string> Defaults { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["meta-llama/Meta-Llama-3.1-8B-Instruct"] = "llama3.1:8b",
        ["meta-llama/llama-3.1-8B-Instruct"] = "llama3.1:8b",
        ["mistralai/Mistral-7B-Instruct-v0.3"] = "mistral:7b",
        ["google/gemma-2-9b-it"] = "gemma2:9b",
        ["meta-llama/Meta-Llama-3.1-70B-Instruct"] = "llama3.1:70b",
        ["meta-llama/Meta-Llama-3-8B-Instruct"] = "llama3:8b",
    };

    private readonly Dictionary<string, string> _map;

    public OllamaTagMap(IReadOnlyDictionary<string, string>? overrides = null)
    {
        _map = new Dictionary<string, string>(Defaults, StringComparer.OrdinalIgnoreCase);
        foreach (var (hfId, tag) in overrides ?? new Dictionary<string, string>())
        {
            if (!string.IsNullOrWhiteSpace(tag))
            {
                _map[hfId] = tag.Trim();
            }
        }
    }

    /// <summary>The tag for an HF id; an id with no entry is used as the tag itself (e.g. <c>llama3.2:1b</c>).</summary>
    public string Resolve(string modelId) => _map.TryGetValue(modelId, out var tag) ? tag : modelId;

    public bool IsMapped(string modelId) => _map.ContainsKey(modelId);

    /// <summary>True when an Ollama model name denotes the tag (<c>llama3</c> is <c>llama3:latest</c>).</summary>
    public static bool SameTag(string a, string b) =>
        string.Equals(WithDefaultTag(a), WithDefaultTag(b), StringComparison.OrdinalIgnoreCase);

    private static string WithDefaultTag(string name) => name.Contains(':') ? name : name + ":latest";
}
