namespace LivepeerAspire.Runner.Simulated.Media;

/// <summary>Deterministic filler words for generated text: the same seed and prompt give the same words.</summary>
public static class FillerText
{
    private static readonly string[] Words =
    [
        "the", "network", "routes", "each", "job", "to", "an", "orchestrator", "with", "a", "warm", "model",
        "and", "pays", "for", "work", "in", "tickets", "that", "sometimes", "win", "while", "gateways", "measure",
        "latency", "across", "many", "GPUs", "so", "slow", "ones", "get", "fewer", "requests", "over", "time",
        "video", "image", "frames", "are", "rendered", "quickly", "on", "large", "cards", "but", "small", "cards",
        "offload", "layers", "memory", "bandwidth", "limits", "decode", "speed", "tokens", "stream", "one", "by",
    ];

    /// <summary>A stable 64-bit hash of the seed and text (FNV-1a).</summary>
    public static ulong Hash(long seed, string text)
    {
        unchecked
        {
            var hash = 14695981039346656037UL ^ (ulong)seed;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 1099511628211UL;
            }

            return hash;
        }
    }

    /// <summary>Token <paramref name="index"/> of the answer keyed by <paramref name="key"/>: a word with its leading space.</summary>
    public static string Token(ulong key, int index)
    {
        unchecked
        {
            var x = key + (ulong)index * 0x9E3779B97F4A7C15UL;
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            x ^= x >> 31;
            var word = Words[(int)(x % (ulong)Words.Length)];
            return index == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : " " + word;
        }
    }

    /// <summary>The answer's natural length in tokens (16 to 512), when no limit cuts it short.</summary>
    public static int NaturalLength(ulong key) => 16 + (int)((key >> 17) % 497);

    public static string Sentence(ulong key, int words) =>
        string.Concat(Enumerable.Range(0, words).Select(i => Token(key, i))) + ".";

    /// <summary>A rough token count: about four characters per token, plus a few per chat message for the template.</summary>
    public static int CountTokens(IEnumerable<string> messages) =>
        messages.Sum(m => 4 + (m.Length + 3) / 4);
}
