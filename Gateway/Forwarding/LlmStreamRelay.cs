using System.Buffers;
using System.Text;
using System.Text.Json;
using LivepeerAspire.Gateway.Timeouts;
using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Gateway.Forwarding;

/// <summary>
/// Where YARP writes a streamed LLM answer: a write-only stream that cuts the orchestrator's SSE into events and
/// hands each chunk to the client's <see cref="ILlmStreamSink"/> (go-livepeer's format, or OpenAI's). Nothing reaches
/// the client before the first chunk with a choice; from then on each chunk is written and flushed as it comes, and
/// the attempt's timer moves from the first-token deadline to the idle limit. An upstream error event stops the copy.
/// </summary>
internal sealed class LlmStreamRelay(
    Attempt attempt,
    ILlmStreamSink sink,
    TimeProvider time,
    TimeoutOptions options,
    CancellationTokenSource attemptTimer,
    CancellationToken clientGone) : WriteOnlyStream
{
    /// <summary>How long a finished answer waits for the end of the orchestrator's response before the copy is cut.</summary>
    private static readonly TimeSpan FinishedDrain = TimeSpan.FromSeconds(1);

    private readonly ArrayBufferWriter<byte> pending = new(4096);

    public bool Committed { get; private set; }

    public TimeSpan? TimeToFirstToken { get; private set; }

    public LlmResponse? Last { get; private set; }

    /// <summary>Set once the relay itself decided the attempt: a finished answer or an upstream error event.</summary>
    public AttemptResult? Outcome { get; private set; }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Outcome is not null)
        {
            return; // after the finish_reason chunk: let the copy drain to the end of the response
        }

        pending.Write(buffer.Span);
        var consumed = 0;
        while (Outcome is null)
        {
            var rest = pending.WrittenSpan[consumed..];
            var newline = rest.IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            var line = rest[..newline].TrimEnd((byte)'\r');
            consumed += newline + 1;
            if (line.StartsWith("data:"u8))
            {
                await OnDataAsync(Encoding.UTF8.GetString(line[5..]).TrimStart()).ConfigureAwait(false);
            }
        }

        if (consumed > 0)
        {
            var left = pending.WrittenSpan[consumed..].ToArray();
            pending.ResetWrittenCount();
            pending.Write(left);
        }

        if (Outcome is { Ok: false })
        {
            throw new StreamStopped();
        }
    }

    private async Task OnDataAsync(string payload)
    {
        if (payload == "[DONE]")
        {
            return;
        }

        if (TryError(payload) is { } upstreamError)
        {
            if (!Committed)
            {
                Outcome = AttemptResult.Fail(FailureKind.Error, 200, $"stream error before the first token: {upstreamError}");
                return;
            }

            Outcome = AttemptResult.Fail(FailureKind.Error, 200, upstreamError, committed: true, TimeToFirstToken);
            await sink.ErrorAsync(upstreamError, Last, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        LlmResponse? chunk;
        try
        {
            chunk = JsonSerializer.Deserialize<LlmResponse>(payload, WireJson.Options);
        }
        catch (JsonException)
        {
            return;
        }

        if (chunk is null || chunk.Choices is not { Count: > 0 })
        {
            return;
        }

        chunk = LlmAnswers.Clean(chunk);
        if (!Committed)
        {
            TimeToFirstToken = time.GetElapsedTime(attempt.Job.StartedTimestamp);
            await sink.StartAsync(attempt, clientGone).ConfigureAwait(false);
            Committed = true;
        }

        await sink.ChunkAsync(chunk, clientGone).ConfigureAwait(false);
        Last = chunk;
        if (!string.IsNullOrEmpty(chunk.Choices[0].FinishReason))
        {
            await sink.EndAsync(clientGone).ConfigureAwait(false);
            Outcome = AttemptResult.Success(null, chunk.Usage?.TotalTokens is > 0 ? chunk.Usage.TotalTokens : null, committed: true, TimeToFirstToken);
            attemptTimer.CancelAfter(FinishedDrain);
            return;
        }

        var left = attempt.Job.Deadline - time.GetElapsedTime(attempt.Job.StartedTimestamp);
        attemptTimer.CancelAfter(left < options.StreamIdle ? (left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)) : options.StreamIdle);
    }

    private static string? TryError(string payload)
    {
        if (!payload.Contains("\"error\"", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(payload);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error)
                ? (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.ToString() : error.ToString())
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Stops YARP's copy once the relay has decided the attempt failed.</summary>
    private sealed class StreamStopped() : IOException("the relay stopped the stream");
}
