namespace LivepeerAspire.LoadTests.Jobs;

/// <summary>A named workload: a weighted job mix plus the knobs that shape each request.</summary>
public sealed record Scenario(string Name, string Description, JobMix Mix)
{
    /// <summary>max_tokens of LLM jobs (go-livepeer bills LLM jobs by it).</summary>
    public int MaxTokens { get; init; } = 64;

    public int ImageWidth { get; init; } = 512;

    public int ImageHeight { get; init; } = 512;

    /// <summary>Seconds of audio in audio-to-text jobs.</summary>
    public double AudioSeconds { get; init; } = 2;

    /// <summary>
    /// An application mix that keeps only the job kinds the target network serves (weights renormalised), where any
    /// other scenario is refused when a pipeline of it is not served.
    /// </summary>
    public bool AdaptsToNetwork { get; init; }
}

/// <summary>The built-in scenarios, plus ad-hoc mixes written as <c>llm-stream=3,text-to-image=1</c>.</summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<Scenario> BuiltIn { get; } =
    [
        new("llm-stream", "streamed LLM chat completions", new JobMix([(JobKind.LlmStream, 1)])),
        new("llm", "non-streamed LLM chat completions", new JobMix([(JobKind.Llm, 1)])),
        new("llm-mixed", "LLM chat, 80 % streamed, 20 % not", new JobMix([(JobKind.LlmStream, 4), (JobKind.Llm, 1)])),
        new("text-to-image", "text-to-image, 512x512", new JobMix([(JobKind.TextToImage, 1)])),
        new("image-to-video", "image-to-video (SVD), 1024x576", new JobMix([(JobKind.ImageToVideo, 1)])) { ImageWidth = 1024, ImageHeight = 576 },
        new("audio-to-text", "audio-to-text, 2 s clips", new JobMix([(JobKind.AudioToText, 1)])),
        new("mixed", "an application mix: 50 % streamed LLM, 10 % LLM, 25 % text-to-image, 10 % audio-to-text, 5 % image-to-image",
            new JobMix([(JobKind.LlmStream, 50), (JobKind.Llm, 10), (JobKind.TextToImage, 25), (JobKind.AudioToText, 10), (JobKind.ImageToImage, 5)])) { AdaptsToNetwork = true },
    ];

    public static IEnumerable<string> Names => BuiltIn.Select(s => s.Name);

    /// <summary>Finds a built-in scenario, or parses <c>kind=weight,…</c>; the error says what is known.</summary>
    public static bool TryResolve(string name, out Scenario? scenario, out string error)
    {
        scenario = BuiltIn.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
        error = "";
        if (scenario is not null)
        {
            return true;
        }

        if (name.Contains('='))
        {
            var entries = new List<(JobKind, double)>();
            foreach (var part in name.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
                if (kv.Length != 2 || !JobKinds.TryParse(kv[0], out var kind))
                {
                    error = $"unknown job kind '{kv[0]}' in scenario '{name}'; job kinds: {string.Join(", ", JobKinds.All.Select(k => k.Name()))}";
                    return false;
                }

                if (!double.TryParse(kv[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var w) || w < 0 || !double.IsFinite(w))
                {
                    error = $"bad weight '{kv[1]}' for '{kv[0]}' in scenario '{name}'; use a non-negative number";
                    return false;
                }

                entries.Add((kind, w));
            }

            if (entries.All(e => e.Item2 <= 0))
            {
                error = $"scenario '{name}' has no job kind with a positive weight";
                return false;
            }

            scenario = new Scenario(name, "ad-hoc mix", new JobMix(entries));
            return true;
        }

        error = $"unknown scenario '{name}'; known: {string.Join(", ", Names)} (or a mix such as llm-stream=3,text-to-image=1)";
        return false;
    }
}
