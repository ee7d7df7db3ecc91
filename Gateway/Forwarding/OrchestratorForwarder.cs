using System.Net;
using System.Text.Json;
using LivepeerAspire.Gateway.Timeouts;
using LivepeerAspire.Protocol.Wire;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace LivepeerAspire.Gateway.Forwarding;

/// <summary>
/// Carries one attempt to an orchestrator with YARP's <see cref="IHttpForwarder"/> over the one shared
/// <see cref="GatewayHttp.Invoker"/>, shaped by <see cref="AttemptTransformer"/>. A non-streamed answer is buffered
/// (it is validated, and translated for image-to-video and /v1, before the client sees it); a streamed LLM answer goes
/// through <see cref="LlmStreamRelay"/> to the client chunk by chunk.
/// </summary>
public sealed class OrchestratorForwarder(IHttpForwarder forwarder, GatewayHttp http, TimeProvider time, IOptionsMonitor<TimeoutOptions> timeouts)
{
    private static readonly AttemptTransformer Transformer = new();

    /// <summary>A non-streamed job: the whole 200 body, or the classified failure.</summary>
    public async Task<AttemptResult> SendBufferedAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        if (attempt.Progress is { } progress)
        {
            return await SendProgressAsync(attempt, progress, cancellationToken).ConfigureAwait(false);
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(attempt.Timeout);
        var exchange = AttemptExchange.Buffered(attempt);
        var error = await SendAsync(exchange, attempt.Timeout, timer.Token).ConfigureAwait(false);
        if (exchange.Refused is { } refused)
        {
            return refused;
        }

        if (error != ForwarderError.None)
        {
            return timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                ? AttemptResult.Fail(FailureKind.Timeout, 0, $"no answer within the {attempt.Timeout.TotalSeconds:0.###} s attempt timeout")
                : AttemptResult.Fail(FailureKind.Error, 0, exchange.ErrorMessage(error));
        }

        return Validate(attempt, exchange.BufferedBody());
    }

    /// <summary>
    /// An interactive job (pay per progress): the orchestrator's events land in <paramref name="progress"/>, which pays,
    /// measures and may abandon the attempt; until step 0 the attempt's own timeout applies, then the job's deadline.
    /// </summary>
    private async Task<AttemptResult> SendProgressAsync(Attempt attempt, ProgressAttempt progress, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(attempt.Timeout);
        progress.Arm(timer, cancellationToken);
        var exchange = AttemptExchange.Relayed(attempt, progress);
        var error = await SendAsync(exchange, attempt.Job.Deadline, timer.Token).ConfigureAwait(false);
        await progress.FinishAsync().ConfigureAwait(false);
        if (exchange.Refused is { } refused)
        {
            return refused;
        }

        if (progress.Outcome is { } decided)
        {
            return decided;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return AttemptResult.Fail(FailureKind.Error, 0, "client went away");
        }

        if (timer.IsCancellationRequested)
        {
            return AttemptResult.Fail(FailureKind.Timeout, 0, progress.Started
                ? "no result within the job's deadline"
                : $"no progress within the {attempt.Timeout.TotalSeconds:0.###} s attempt timeout");
        }

        return error == ForwarderError.None
            ? AttemptResult.Fail(FailureKind.Error, 200, progress.Started ? "the orchestrator's progress stream ended without a result" : "the orchestrator answered without a progress stream")
            : AttemptResult.Fail(FailureKind.Error, 0, exchange.ErrorMessage(error));
    }

    /// <summary>
    /// A streamed LLM job. Fails over (uncommitted) until the first chunk arrives within Timeouts:FirstToken; from the
    /// first chunk on, <paramref name="sink"/> writes to the client and an upstream failure ends the stream with an error.
    /// </summary>
    public async Task<AttemptResult> SendStreamAsync(Attempt attempt, ILlmStreamSink sink, CancellationToken cancellationToken)
    {
        var options = timeouts.CurrentValue;
        var firstTokenBudget = attempt.Timeout < options.FirstToken ? attempt.Timeout : options.FirstToken;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(firstTokenBudget);
        var relay = new LlmStreamRelay(attempt, sink, time, options, timer, cancellationToken);
        var exchange = AttemptExchange.Relayed(attempt, relay);
        var error = await SendAsync(exchange, attempt.Job.Deadline, timer.Token).ConfigureAwait(false);
        if (exchange.Refused is { } refused)
        {
            return refused;
        }

        if (relay.Outcome is { } decided)
        {
            return decided;
        }

        if (error == ForwarderError.None)
        {
            if (!relay.Committed)
            {
                return AttemptResult.Fail(FailureKind.Error, 200, "the stream ended before the first token");
            }

            const string ended = "the orchestrator's stream ended without a finish_reason";
            await TryErrorAsync(sink, ended, relay.Last).ConfigureAwait(false);
            return AttemptResult.Fail(FailureKind.Error, 200, ended, committed: true, relay.TimeToFirstToken);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return AttemptResult.Fail(FailureKind.Error, 0, "client went away", committed: relay.Committed, relay.TimeToFirstToken);
        }

        if (timer.IsCancellationRequested)
        {
            if (!relay.Committed)
            {
                return AttemptResult.Fail(FailureKind.Timeout, 0, $"no first token within {firstTokenBudget.TotalSeconds:0.###} s");
            }

            const string stopped = "the orchestrator stopped sending tokens";
            await TryErrorAsync(sink, stopped, relay.Last).ConfigureAwait(false);
            return AttemptResult.Fail(FailureKind.Timeout, 0, stopped, committed: true, relay.TimeToFirstToken);
        }

        var message = exchange.ErrorMessage(error);
        if (!relay.Committed)
        {
            return AttemptResult.Fail(FailureKind.Error, 0, message);
        }

        await TryErrorAsync(sink, "the orchestrator's stream broke: " + message, relay.Last).ConfigureAwait(false);
        return AttemptResult.Fail(FailureKind.Error, 0, message, committed: true, relay.TimeToFirstToken);
    }

    /// <summary>
    /// HTTP/1.1 as before (one pooled connection per concurrent attempt); YARP's activity timeout is only a backstop
    /// behind the attempt's own timer.
    /// </summary>
    private ValueTask<ForwarderError> SendAsync(AttemptExchange exchange, TimeSpan activityTimeout, CancellationToken cancellationToken) =>
        forwarder.SendAsync(
            exchange.Context,
            exchange.Destination.GetLeftPart(UriPartial.Authority),
            http.Invoker,
            new ForwarderRequestConfig
            {
                ActivityTimeout = activityTimeout > TimeSpan.Zero ? activityTimeout + TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(1),
                Version = HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            },
            Transformer,
            cancellationToken);

    /// <summary>Ends a started stream with an error chunk; the client may already be gone.</summary>
    private static async Task TryErrorAsync(ILlmStreamSink sink, string message, LlmResponse? last)
    {
        try
        {
            await sink.ErrorAsync(message, last, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // Nothing more can reach the client.
        }
    }

    internal static AttemptResult Validate(Attempt attempt, byte[] body)
    {
        try
        {
            switch (attempt.Job.Pipeline.Name)
            {
                case "llm":
                    var answer = JsonSerializer.Deserialize<LlmResponse>(body, WireJson.Options);
                    if (answer?.Choices is not { Count: > 0 })
                    {
                        return AttemptResult.Fail(FailureKind.Error, 200, "the orchestrator's LLM answer has no choices");
                    }

                    return AttemptResult.Success(JsonSerializer.SerializeToUtf8Bytes(LlmAnswers.Clean(answer), WireJson.Options), answer.Usage?.TotalTokens is > 0 ? answer.Usage.TotalTokens : null);
                case "image-to-video":
                    using (var doc = JsonDocument.Parse(body))
                    {
                        if (doc.RootElement.TryGetProperty("frames", out _))
                        {
                            var video = JsonSerializer.Deserialize<VideoResponse>(body, WireJson.Options)!;
                            return AttemptResult.Success(JsonSerializer.SerializeToUtf8Bytes(new ImageResponse(video.Frames.SelectMany(f => f).ToList()), WireJson.Options));
                        }
                    }

                    return AttemptResult.Success(body);
                default:
                    // Well-formed JSON is all the gateway checks here; a skim allocates nothing.
                    var reader = new Utf8JsonReader(body);
                    if (!reader.Read())
                    {
                        throw new JsonException("empty body");
                    }

                    reader.Skip();
                    if (reader.Read())
                    {
                        throw new JsonException("more than one JSON value");
                    }

                    return AttemptResult.Success(body);
            }
        }
        catch (JsonException e)
        {
            return AttemptResult.Fail(FailureKind.Error, 200, $"the orchestrator's answer is not valid JSON: {e.Message}");
        }
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
