namespace LivepeerAspire.Protocol.Progress;

/// <summary>
/// The pay-per-progress wire (docs/orchestrator.md § Pay per progress): headers and one progress event. The runner
/// fills <see cref="Step"/>, <see cref="TotalSteps"/>, <see cref="ElapsedMs"/> and <see cref="Preview"/>; the
/// orchestrator adds its accounting (<see cref="Chunk"/>, <see cref="Chunks"/>, <see cref="PaidChunks"/>); the gateway
/// adds <see cref="Orchestrator"/> and <see cref="Attempt"/> for its client.
/// </summary>
public sealed record ProgressEvent
{
    public int Step { get; init; }

    public int TotalSteps { get; init; }

    public long ElapsedMs { get; init; }

    public string? Preview { get; init; }

    public int? Chunk { get; init; }

    public int? Chunks { get; init; }

    public int? PaidChunks { get; init; }

    public string? Orchestrator { get; init; }

    public int? Attempt { get; init; }
}

/// <summary>The answer to <c>POST /progress/payment</c>.</summary>
public sealed record ChunkPaymentAnswer(int Chunk, int PaidChunks, int DeliveredChunks);

public static class ProgressHeaders
{
    /// <summary>Request: the chunk size N in steps (opt-in). Response: the chunk size the orchestrator honours.</summary>
    public const string Progress = "Livepeer-Progress";

    /// <summary>The gateway's id for one interactive attempt.</summary>
    public const string Job = "Livepeer-Job";

    /// <summary>On <c>POST /progress/payment</c>: the 1-based chunk the payment is for.</summary>
    public const string Chunk = "Livepeer-Chunk";

    public const string PaymentRoute = "/progress/payment";

    public const string EventProgress = "progress";
    public const string EventResult = "result";
    public const string EventError = "error";
    public const string EventDone = "done";

    public const int MaxChunkSteps = 1000;

    /// <summary>Checks a <c>Livepeer-Progress</c> value; null and the reason when it is not a chunk size.</summary>
    public static int? ParseChunkSteps(string value, out string? error)
    {
        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var steps) && steps is >= 1 and <= MaxChunkSteps)
        {
            error = null;
            return steps;
        }

        error = $"{Progress} must be a chunk size in steps between 1 and {MaxChunkSteps} (got '{value}')";
        return null;
    }

    /// <summary>8–64 characters of [A-Za-z0-9_-].</summary>
    public static bool IsJobId(string value) =>
        value.Length is >= 8 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
