namespace LivepeerAspire.LoadTests.Jobs;

/// <summary>A kind of job a scenario sends; the LLM route appears twice because streaming changes what is measured.</summary>
public enum JobKind
{
    LlmStream,
    Llm,
    TextToImage,
    ImageToImage,
    ImageToVideo,
    Upscale,
    AudioToText,
    ImageToText,
    TextToSpeech,
    SegmentAnything2,
}

public static class JobKinds
{
    private static readonly Dictionary<JobKind, (string Name, string Pipeline)> Table = new()
    {
        [JobKind.LlmStream] = ("llm-stream", "llm"),
        [JobKind.Llm] = ("llm", "llm"),
        [JobKind.TextToImage] = ("text-to-image", "text-to-image"),
        [JobKind.ImageToImage] = ("image-to-image", "image-to-image"),
        [JobKind.ImageToVideo] = ("image-to-video", "image-to-video"),
        [JobKind.Upscale] = ("upscale", "upscale"),
        [JobKind.AudioToText] = ("audio-to-text", "audio-to-text"),
        [JobKind.ImageToText] = ("image-to-text", "image-to-text"),
        [JobKind.TextToSpeech] = ("text-to-speech", "text-to-speech"),
        [JobKind.SegmentAnything2] = ("segment-anything-2", "segment-anything-2"),
    };

    public static IEnumerable<JobKind> All => Table.Keys;

    /// <summary>The name used on the command line and in reports, e.g. <c>llm-stream</c>.</summary>
    public static string Name(this JobKind kind) => Table[kind].Name;

    /// <summary>The Livepeer pipeline (and gateway route without the slash) the job goes to.</summary>
    public static string Pipeline(this JobKind kind) => Table[kind].Pipeline;

    public static bool TryParse(string name, out JobKind kind)
    {
        foreach (var (k, v) in Table)
        {
            if (string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
