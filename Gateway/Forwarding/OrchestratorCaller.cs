using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LivepeerAspire.Gateway.Timeouts;
using LivepeerAspire.Protocol.Wire;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Forwarding;

/// <summary>Sends one attempt to an orchestrator's pipeline route and reads the answer (whole, or as an SSE stream).</summary>
public sealed class OrchestratorCaller(GatewayHttp http, TimeProvider time, IOptionsMonitor<TimeoutOptions> timeouts)
{
    public static Uri RouteOf(Uri serviceUri, string route) => new(serviceUri.ToString().TrimEnd('/') + route);

    /// <summary>A non-streamed job: the whole 200 body, or the classified failure.</summary>
    public async Task<AttemptResult> SendBufferedAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(attempt.Timeout);
        try
        {
            using var request = Build(attempt);
            using var response = await http.Invoker.SendAsync(request, cts.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cts.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status != 200)
            {
                var text = Encoding.UTF8.GetString(body);
                return AttemptResult.Fail(ErrorClassifier.Classify(status, text), status, $"returned {status}: {ErrorClassifier.MessageOf(text)}");
            }

            return Validate(attempt, body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return AttemptResult.Fail(FailureKind.Timeout, 0, $"no answer within the {attempt.Timeout.TotalSeconds:0.###} s attempt timeout");
        }
        catch (HttpRequestException e)
        {
            return AttemptResult.Fail(FailureKind.Error, 0, e.Message);
        }
    }

    /// <summary>
    /// A streamed LLM job. Fails over (uncommitted) until the first chunk arrives within Timeouts:FirstToken; from the
    /// first chunk on, <paramref name="sink"/> writes to the client and an upstream failure ends the stream with an error.
    /// </summary>
    public async Task<AttemptResult> SendStreamAsync(Attempt attempt, ILlmStreamSink sink, CancellationToken cancellationToken)
    {
        var options = timeouts.CurrentValue;
        var firstTokenBudget = attempt.Timeout < options.FirstToken ? attempt.Timeout : options.FirstToken;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(firstTokenBudget);
        var committed = false;
        TimeSpan? ttft = null;
        try
        {
            using var request = Build(attempt);
            using var response = await http.Invoker.SendAsync(request, cts.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status != 200)
            {
                var text = await response.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false);
                return AttemptResult.Fail(ErrorClassifier.Classify(status, text), status, $"returned {status}: {ErrorClassifier.MessageOf(text)}");
            }

            await using var stream = await response.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            LlmResponse? last = null;
            while (true)
            {
                var line = await reader.ReadLineAsync(cts.Token).ConfigureAwait(false);
                if (line is null || line == "data: [DONE]")
                {
                    return await EndedAsync(committed, ttft, last, sink, "the orchestrator's stream ended without a finish_reason").ConfigureAwait(false);
                }

                if (!line.StartsWith("data:", StringComparison.Ordinal))
                {
                    continue;
                }

                var payload = line[5..].TrimStart();
                if (TryError(payload) is { } upstreamError)
                {
                    if (!committed)
                    {
                        return AttemptResult.Fail(FailureKind.Error, 200, $"stream error before the first token: {upstreamError}");
                    }

                    await sink.ErrorAsync(upstreamError, last, CancellationToken.None).ConfigureAwait(false);
                    return AttemptResult.Fail(FailureKind.Error, 200, upstreamError, committed: true, ttft);
                }

                LlmResponse? chunk;
                try
                {
                    chunk = JsonSerializer.Deserialize<LlmResponse>(payload, WireJson.Options);
                }
                catch (JsonException)
                {
                    continue;
                }

                if (chunk is null || chunk.Choices is not { Count: > 0 })
                {
                    continue;
                }

                chunk = Clean(chunk);
                if (!committed)
                {
                    ttft = time.GetElapsedTime(attempt.Job.StartedTimestamp);
                    await sink.StartAsync(attempt, cancellationToken).ConfigureAwait(false);
                    committed = true;
                }

                await sink.ChunkAsync(chunk, cancellationToken).ConfigureAwait(false);
                last = chunk;
                if (!string.IsNullOrEmpty(chunk.Choices[0].FinishReason))
                {
                    await sink.EndAsync(cancellationToken).ConfigureAwait(false);
                    return AttemptResult.Success(null, chunk.Usage?.TotalTokens is > 0 ? chunk.Usage.TotalTokens : null, committed: true, ttft);
                }

                var left = attempt.Job.Deadline - time.GetElapsedTime(attempt.Job.StartedTimestamp);
                cts.CancelAfter(left < options.StreamIdle ? (left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)) : options.StreamIdle);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (!committed)
            {
                return AttemptResult.Fail(FailureKind.Timeout, 0, $"no first token within {firstTokenBudget.TotalSeconds:0.###} s");
            }

            const string message = "the orchestrator stopped sending tokens";
            await sink.ErrorAsync(message, null, CancellationToken.None).ConfigureAwait(false);
            return AttemptResult.Fail(FailureKind.Timeout, 0, message, committed: true, ttft);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            if (!committed)
            {
                return AttemptResult.Fail(FailureKind.Error, 0, e.Message);
            }

            await sink.ErrorAsync("the orchestrator's stream broke: " + e.Message, null, CancellationToken.None).ConfigureAwait(false);
            return AttemptResult.Fail(FailureKind.Error, 0, e.Message, committed: true, ttft);
        }
    }

    private static async Task<AttemptResult> EndedAsync(bool committed, TimeSpan? ttft, LlmResponse? last, ILlmStreamSink sink, string message)
    {
        if (!committed)
        {
            return AttemptResult.Fail(FailureKind.Error, 200, "the stream ended before the first token");
        }

        await sink.ErrorAsync(message, last, CancellationToken.None).ConfigureAwait(false);
        return AttemptResult.Fail(FailureKind.Error, 200, message, committed: true, ttft);
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

    /// <summary>A streamed chunk carries a delta, a whole answer a message; the runner sends the other as null, which is dropped.</summary>
    private static LlmResponse Clean(LlmResponse chunk) => chunk with
    {
        Choices = chunk.Choices.Select(c => c with { FinishReason = c.FinishReason ?? "" }).ToList(),
    };

    private AttemptResult Validate(Attempt attempt, byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (attempt.Job.Pipeline.Name == "llm")
            {
                var answer = JsonSerializer.Deserialize<LlmResponse>(body, WireJson.Options);
                if (answer?.Choices is not { Count: > 0 })
                {
                    return AttemptResult.Fail(FailureKind.Error, 200, "the orchestrator's LLM answer has no choices");
                }

                return AttemptResult.Success(JsonSerializer.SerializeToUtf8Bytes(Clean(answer), WireJson.Options), answer.Usage?.TotalTokens is > 0 ? answer.Usage.TotalTokens : null);
            }

            if (attempt.Job.Pipeline.Name == "image-to-video" && doc.RootElement.TryGetProperty("frames", out _))
            {
                var video = JsonSerializer.Deserialize<VideoResponse>(body, WireJson.Options)!;
                return AttemptResult.Success(JsonSerializer.SerializeToUtf8Bytes(new ImageResponse(video.Frames.SelectMany(f => f).ToList()), WireJson.Options));
            }

            return AttemptResult.Success(body);
        }
        catch (JsonException e)
        {
            return AttemptResult.Fail(FailureKind.Error, 200, $"the orchestrator's answer is not valid JSON: {e.Message}");
        }
    }

    private static HttpRequestMessage Build(Attempt attempt)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, RouteOf(attempt.Session.ServiceUri, attempt.Job.Pipeline.Route))
        {
            Content = new ByteArrayContent(attempt.Job.Body),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", attempt.Job.ContentType);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(attempt.Job.Stream ? "text/event-stream" : "application/json"));
        foreach (var (name, value) in attempt.Payment.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }
}

/// <summary>Where a streamed LLM answer goes once it has started: the Livepeer SSE format or OpenAI chunks.</summary>
public interface ILlmStreamSink
{
    Task StartAsync(Attempt attempt, CancellationToken cancellationToken);

    Task ChunkAsync(LlmResponse chunk, CancellationToken cancellationToken);

    Task ErrorAsync(string message, LlmResponse? last, CancellationToken cancellationToken);

    Task EndAsync(CancellationToken cancellationToken);
}
