using System.Text;
using System.Text.Json;
using LivepeerAspire.Protocol.Media;

namespace LivepeerAspire.Protocol.Pipelines.Contracts;

/// <summary>
/// llm: model, messages (non-empty, each a role and a string content), stream and max_tokens, as go-livepeer's
/// gateway requires them all; units max_tokens.
/// </summary>
public sealed class LlmContract : PipelineContract
{
    public override Pipeline Pipeline => PipelineCatalog.Llm;

    public override string ModelField => "model";

    /// <summary>go-livepeer's gateway handler also requires <c>stream</c> and names every missing field at once.</summary>
    public override IReadOnlyList<string> GatewayRequiredFields { get; } = ["model", "messages", "stream", "max_tokens"];

    public override ValueTask<JobUnits> MeasureAsync(JobInput input, string modelId, CancellationToken cancellationToken)
    {
        if (input.String("model") is null)
        {
            throw new JobInputException("model", "model is required and must be a string (\"\" selects the default model)");
        }

        if (input.Element("messages") is not { ValueKind: JsonValueKind.Array } messages || messages.GetArrayLength() == 0)
        {
            throw new JobInputException("messages", "messages is required and must be a non-empty array of {role, content}");
        }

        var i = 0;
        foreach (var m in messages.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object
                || !m.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String || role.GetString() is not ("system" or "user" or "assistant")
                || !m.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
            {
                throw new JobInputException("messages", $"messages[{i}] must be {{\"role\": \"system\"|\"user\"|\"assistant\", \"content\": \"…\"}}: a string role and a string content");
            }

            i++;
        }

        input.Bool("stream");

        // go-livepeer's orchestrator wording for a missing max_tokens.
        var maxTokens = input.Int("max_tokens") ?? throw new JobInputException("max_tokens", "MaxTokens not specified");
        if (maxTokens < 1)
        {
            throw new JobInputException("max_tokens", $"max_tokens must be at least 1 (got {maxTokens})");
        }

        return ValueTask.FromResult(new JobUnits(maxTokens, maxTokens));
    }
}

/// <summary>
/// text-to-speech: text required; units its UTF-8 bytes on both sides. go-livepeer's gateway prepays bytes while its
/// orchestrator debits 1000 × runes; this project uses the gateway's unit for both, so credit and debit agree.
/// </summary>
public sealed class TextToSpeechContract : PipelineContract
{
    public override Pipeline Pipeline => PipelineCatalog.TextToSpeech;

    public override ValueTask<JobUnits> MeasureAsync(JobInput input, string modelId, CancellationToken cancellationToken)
    {
        var text = input.String("text");
        if (string.IsNullOrEmpty(text))
        {
            throw new JobInputException("text", "text is required: Text input must be provided.");
        }

        var bytes = Encoding.UTF8.GetByteCount(text);
        return ValueTask.FromResult(new JobUnits(bytes, Math.Max(1, bytes)));
    }
}

/// <summary>
/// audio-to-text: an audio file in any format ffmpeg reads; units are the milliseconds of audio the file holds
/// (measured by <see cref="AudioProbe"/>). go-livepeer floors to whole seconds before × 1000, which bills a 6.99 s
/// Opus file (its pre-skip trimmed) as 6 s; milliseconds bill every file within 1 % of its length.
/// </summary>
public sealed class AudioToTextContract : PipelineContract
{
    public override Pipeline Pipeline => PipelineCatalog.AudioToText;

    public override async ValueTask<JobUnits> MeasureAsync(JobInput input, string modelId, CancellationToken cancellationToken)
    {
        var seconds = await SecondsAsync(input, cancellationToken).ConfigureAwait(false);
        return new JobUnits(Milliseconds(seconds), seconds);
    }

    /// <summary>The seconds of audio in the 'audio' part; throws <see cref="JobInputException"/> for a missing, unreadable or too short file.</summary>
    public static async Task<double> SecondsAsync(JobInput input, CancellationToken cancellationToken)
    {
        var audio = input.File("audio") ?? throw new JobInputException("audio", "audio is required: send the audio file as the form part 'audio'");
        AudioInfo info;
        try
        {
            info = await AudioProbe.ReadAsync("audio", audio, cancellationToken).ConfigureAwait(false);
        }
        catch (MediaException e)
        {
            throw new JobInputException("audio", $"Unable to calculate duration: {e.Message}");
        }

        return Milliseconds(info.Seconds) < 1
            ? throw new JobInputException("audio", "Unable to calculate duration: audio: the file holds less than a millisecond of audio")
            : info.Seconds;
    }

    /// <summary>The billed units of <paramref name="seconds"/> of audio: whole milliseconds.</summary>
    public static long Milliseconds(double seconds) => (long)Math.Floor(seconds * 1000);
}
