using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LivepeerAspire.Gateway.Access;
using LivepeerAspire.Gateway.Forwarding;
using LivepeerAspire.Gateway.Observability;
using LivepeerAspire.Gateway.Timeouts;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Gateway.Api;

/// <summary>Runs one client request end to end: parse, dispatch with failover, answer, log one line and count it.</summary>
public sealed class JobRunner(
    JobParser parser,
    JobDispatcher dispatcher,
    OrchestratorForwarder forwarder,
    Deadlines deadlines,
    GatewayMetrics metrics,
    IJobAccounting access,
    TimeProvider time,
    ILogger<JobRunner> logger)
{
    /// <summary>OpenAI clients need not send max_tokens; the Livepeer /llm route requires it.</summary>
    public const int OpenAiDefaultMaxTokens = 256;

    public Task RunPipelineAsync(HttpContext context, Pipeline pipeline) =>
        RunGuardedAsync(context, pipeline, ErrorWriter.Livepeer, async started =>
        {
            var deadline = deadlines.For(context.Request, pipeline);
            var job = await parser.ParseAsync(context, pipeline).ConfigureAwait(false);
            var events = ProgressEvents.Wanted(context.Request, pipeline) ? new ProgressEvents(context.Response) : null;
            job.ProgressSink = events;
            job.StartedTimestamp = started;
            job.Deadline = deadline;
            access.Admit(context, job);
            var sink = job.Stream ? new LivepeerSseSink(context.Response) : null;
            var outcome = await DispatchAsync(job, sink, context.RequestAborted).ConfigureAwait(false);
            if (events is not null)
            {
                return (job, await FinishEventsAsync(events, outcome, context.RequestAborted).ConfigureAwait(false));
            }

            if (outcome.Ok && !outcome.Committed)
            {
                JobResponseHeaders.Apply(context.Response, outcome.Session?.AdvertisedUri, outcome.Attempts, outcome.Fee);
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                await context.Response.Body.WriteAsync(outcome.Body, context.RequestAborted).ConfigureAwait(false);
            }

            return (job, outcome);
        });

    /// <summary>
    /// <c>Prefer: respond-async</c>: read and check the request exactly as the synchronous route does (a bad request
    /// gets its 4xx, never a 202), then answer 202 <c>{"request_id"}</c> and run the same dispatch (selection,
    /// payment, failover, deadline) in the background on the gateway's lifetime, not the request's.
    /// </summary>
    public async Task StartPipelineAsyncJob(HttpContext context, Pipeline pipeline, AsyncJobs jobs)
    {
        var started = time.GetTimestamp();
        try
        {
            var deadline = deadlines.For(context.Request, pipeline);
            var job = await parser.ParseAsync(context, pipeline).ConfigureAwait(false);
            job.StartedTimestamp = started;
            job.Deadline = deadline;
            access.Admit(context, job);
            var id = await jobs.SubmitAsync(async stopping =>
            {
                var outcome = await DispatchAsync(job, null, stopping).ConfigureAwait(false);
                stopping.ThrowIfCancellationRequested();
                Finish(job, outcome, started);
                if (!outcome.Ok)
                {
                    return AsyncJobs.ErrorResult(outcome.Message);
                }

                return JsonNode.Parse(outcome.Body) as JsonObject
                    ?? throw new InvalidOperationException("the orchestrator's answer is not a JSON object");
            }).ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            context.Response.Headers["Preference-Applied"] = AsyncJobsApi.RespondAsync;
            await context.Response.WriteAsJsonAsync(new JsonObject { ["request_id"] = id }, WireJson.Options, "application/json", context.RequestAborted).ConfigureAwait(false);
        }
        catch (GatewayError e)
        {
            if (e.Status == StatusCodes.Status503ServiceUnavailable)
            {
                context.Response.Headers.RetryAfter = "5";
            }

            await ErrorWriter.Livepeer(context, e.Status, e.Message).ConfigureAwait(false);
            Refused(pipeline.Name, e, started);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            logger.LogInformation("async job {Pipeline} cancelled by the client before it was accepted", pipeline.Name);
        }
    }

    public Task RunChatCompletionAsync(HttpContext context) =>
        RunGuardedAsync(context, PipelineCatalog.Llm, ErrorWriter.OpenAi, async started =>
        {
            var deadline = deadlines.For(context.Request, PipelineCatalog.Llm);
            var json = await parser.ReadJsonObjectAsync(context).ConfigureAwait(false);
            OpenAiChatRequest request;
            try
            {
                request = json.Deserialize<OpenAiChatRequest>(WireJson.Options) ?? throw GatewayError.BadRequest("request body must be a JSON object");
            }
            catch (JsonException e)
            {
                throw GatewayError.BadRequest($"invalid chat completion request: {e.Message}");
            }

            var job = await parser.LlmJobAsync(ToLlmRequest(request), context.RequestAborted).ConfigureAwait(false);
            job.StartedTimestamp = started;
            job.Deadline = deadline;
            access.Admit(context, job);
            var sink = job.Stream ? new OpenAiSseSink(context.Response, job.ModelId, request.StreamOptions?.IncludeUsage == true) : null;
            var outcome = await DispatchAsync(job, sink, context.RequestAborted).ConfigureAwait(false);
            if (outcome.Ok && !outcome.Committed)
            {
                var answer = JsonSerializer.Deserialize<LlmResponse>(outcome.Body, WireJson.Options)!;
                JobResponseHeaders.Apply(context.Response, outcome.Session?.AdvertisedUri, outcome.Attempts, outcome.Fee);
                await context.Response.WriteAsJsonAsync(ToCompletion(answer, job.ModelId), WireJson.Options, "application/json", context.RequestAborted).ConfigureAwait(false);
            }

            return (job, outcome);
        });

    /// <summary>
    /// What both API shapes share around a job: an error the client can act on in that API's error shape (nothing
    /// once the answer has started), one log line and one metrics count per request, and no error for a client
    /// that went away.
    /// </summary>
    private async Task RunGuardedAsync(
        HttpContext context,
        Pipeline pipeline,
        Func<HttpContext, int, string, Task> writeError,
        Func<long, Task<(GatewayJob Job, DispatchOutcome Outcome)>> run)
    {
        var started = time.GetTimestamp();
        try
        {
            var (job, outcome) = await run(started).ConfigureAwait(false);
            if (!outcome.Ok && !outcome.Committed && outcome.Status != 499)
            {
                JobResponseHeaders.Apply(context.Response, outcome.Session?.AdvertisedUri, outcome.Attempts, 0);
                if (outcome.RetryAfter is { } retryAfter)
                {
                    context.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                }

                await writeError(context, outcome.Status, outcome.Message).ConfigureAwait(false);
            }

            Finish(job, outcome, started);
        }
        catch (GatewayError e)
        {
            await writeError(context, e.Status, e.Message).ConfigureAwait(false);
            Refused(pipeline.Name, e, started);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            logger.LogInformation("job {Pipeline} cancelled by the client", pipeline.Name);
        }
        catch (Exception e)
        {
            logger.LogError(e, "job {Pipeline} failed inside the gateway", pipeline.Name);
            await writeError(context, StatusCodes.Status500InternalServerError, "internal gateway error: " + e.Message).ConfigureAwait(false);
            metrics.Request(pipeline.Name, 500, null, time.GetElapsedTime(started), null, 0);
        }
    }

    /// <summary>The end of an event-stream job: result and done, or the error in-band once the stream has started.</summary>
    private static async Task<DispatchOutcome> FinishEventsAsync(ProgressEvents events, DispatchOutcome outcome, CancellationToken cancellationToken)
    {
        if (outcome.Ok)
        {
            await events.ResultAsync(outcome.Body!, outcome.Session?.AdvertisedUri, outcome.Attempts, outcome.Fee, cancellationToken).ConfigureAwait(false);
            return outcome with { Committed = true };
        }

        if (events.Started && outcome.Status != 499)
        {
            await events.ErrorAsync(outcome.Message, cancellationToken).ConfigureAwait(false);
            return outcome with { Committed = true };
        }

        return outcome;
    }

    private Task<DispatchOutcome> DispatchAsync(GatewayJob job, ILlmStreamSink? sink, CancellationToken cancellationToken) =>
        sink is null
            ? dispatcher.RunAsync(job, forwarder.SendBufferedAsync, cancellationToken)
            : dispatcher.RunAsync(job, (attempt, ct) => forwarder.SendStreamAsync(attempt, sink, ct), cancellationToken);

    private static JsonObject ToLlmRequest(OpenAiChatRequest request)
    {
        if (request.Messages is not { Count: > 0 })
        {
            throw GatewayError.BadRequest("messages is required and must not be empty");
        }

        var messages = new JsonArray();
        for (var i = 0; i < request.Messages.Count; i++)
        {
            var m = request.Messages[i];
            var role = m.Role == "developer" ? "system" : m.Role;
            if (role is not ("system" or "user" or "assistant"))
            {
                throw GatewayError.BadRequest($"messages[{i}].role '{m.Role}' is not supported; use system, developer, user or assistant");
            }

            messages.Add(new JsonObject { ["role"] = role, ["content"] = TextOf(m.Content, i) });
        }

        var llm = new JsonObject
        {
            ["model"] = request.Model ?? "",
            ["messages"] = messages,
            ["max_tokens"] = request.MaxCompletionTokens ?? request.MaxTokens ?? OpenAiDefaultMaxTokens,
            ["stream"] = request.Stream ?? false,
        };
        if (request.Temperature is { } t)
        {
            llm["temperature"] = t;
        }

        if (request.TopP is { } p)
        {
            llm["top_p"] = p;
        }

        return llm;
    }

    private static string TextOf(JsonElement? content, int index)
    {
        switch (content?.ValueKind)
        {
            case JsonValueKind.String:
                return content.Value.GetString()!;
            case JsonValueKind.Array:
                var text = new System.Text.StringBuilder();
                foreach (var part in content.Value.EnumerateArray())
                {
                    if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.GetString() != "text"
                        || !part.TryGetProperty("text", out var value) || value.ValueKind != JsonValueKind.String)
                    {
                        throw GatewayError.BadRequest($"messages[{index}].content: only text parts are supported");
                    }

                    text.Append(value.GetString());
                }

                return text.ToString();
            default:
                throw GatewayError.BadRequest($"messages[{index}].content must be a string or an array of text parts");
        }
    }

    private static OpenAiChatCompletion ToCompletion(LlmResponse answer, string model)
    {
        var choice = answer.Choices[0];
        var message = choice.Message ?? choice.Delta ?? new LlmMessage("assistant", "");
        var finish = string.IsNullOrEmpty(choice.FinishReason) ? "stop" : choice.FinishReason;
        return new OpenAiChatCompletion(
            answer.Id.StartsWith("chatcmpl-", StringComparison.Ordinal) ? answer.Id : "chatcmpl-" + answer.Id,
            answer.Created,
            string.IsNullOrEmpty(answer.Model) ? model : answer.Model,
            [new OpenAiChoice(0, new OpenAiMessage("assistant", message.Content), finish)],
            new OpenAiUsage(answer.Usage.PromptTokens, answer.Usage.CompletionTokens, answer.Usage.TotalTokens));
    }

    private void Finish(GatewayJob job, DispatchOutcome outcome, long started)
    {
        var took = time.GetElapsedTime(started);
        var status = outcome.Ok ? 200 : outcome.Status;
        metrics.Request(job.Pipeline.Name, status, outcome.Session?.Key, took, outcome.TimeToFirstToken, outcome.Attempts);
        access.Record(job, outcome, status, took);
        logger.LogInformation(
            "job {Pipeline} model={Model} status={Status} orchestrator={Orchestrator} attempts={Attempts} fee={Fee} latency_ms={Latency} ttft_ms={Ttft} failovers=[{Failovers}]{Error}",
            job.Pipeline.Name,
            job.ModelId,
            status,
            outcome.Session?.Key ?? "-",
            outcome.Attempts,
            outcome.Fee,
            Math.Round(took.TotalMilliseconds, 1).ToString(CultureInfo.InvariantCulture),
            outcome.TimeToFirstToken is { } t ? Math.Round(t.TotalMilliseconds, 1).ToString(CultureInfo.InvariantCulture) : "-",
            string.Join(" | ", outcome.FailoverReasons),
            outcome.Ok ? "" : " error=" + outcome.Message);
    }

    private void Refused(string pipeline, GatewayError e, long started)
    {
        var took = time.GetElapsedTime(started);
        metrics.Request(pipeline, e.Status, null, took, null, 0);
        logger.LogInformation("job {Pipeline} status={Status} refused: {Error}", pipeline, e.Status, e.Message);
    }
}
