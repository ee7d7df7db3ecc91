using System.Net;
using System.Text;
using System.Text.Json;
using LivepeerAspire.Protocol.Wire;
using LivepeerAspire.Runner.Ollama.Models;
using LivepeerAspire.Runner.Ollama.Ollama;

namespace LivepeerAspire.Runner.Ollama.Llm;

/// <summary>
/// ai-runner POST /llm on top of Ollama /api/chat. Nothing is written to the client until Ollama's first
/// line has arrived, so an Ollama failure before output is a real status with a runner JSON error. Once
/// streaming, every <c>data:</c> event carries a non-empty <c>choices</c> array (go-livepeer reads
/// <c>choices[0]</c> of every event); a failure mid-stream ends with a chunk whose finish_reason is "error".
/// </summary>
internal sealed class LlmHandler(OllamaClient ollama, ServedModel served, TimeProvider time, ILogger<LlmHandler> logger)
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public async Task HandleAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        var parsed = await LlmRequestReader.ReadAsync(context.Request.Body, served, ct);
        if (parsed.Request is not { } request)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, parsed.Error!);
            return;
        }

        var start = await ollama.StartChatAsync(OllamaTranslation.ToChat(request, served.OllamaTag, served.KeepAlive), ct);
        if (start.Stream is null)
        {
            logger.LogWarning("Ollama refused the chat: {Status} {Error}", (int)start.Status, start.Error);
            var status = start.Status == HttpStatusCode.BadRequest ? StatusCodes.Status400BadRequest : StatusCodes.Status500InternalServerError;
            await WriteErrorAsync(context, status, $"Ollama returned {(int)start.Status}: {start.Error}");
            return;
        }

        await using var stream = start.Stream;
        OllamaChatLine? first;
        try
        {
            first = await stream.ReadAsync(ct);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            first = new OllamaChatLine { Error = $"Ollama connection failed: {e.Message}" };
        }

        if (first is null || first.Error is not null)
        {
            var message = first?.Error ?? "Ollama ended the response before any output";
            logger.LogWarning("Ollama failed before output: {Error}", message);
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, $"Internal server error during LLM processing: {message}");
            return;
        }

        var reply = new ReplyShape("chatcmpl-" + Guid.NewGuid().ToString(), served.ModelId, time.GetUtcNow().ToUnixTimeSeconds());
        if (request.Stream == true)
        {
            await StreamAsync(context, stream, first, reply, ct);
        }
        else
        {
            await CollectAsync(context, stream, first, reply, ct);
        }
    }

    private async Task CollectAsync(HttpContext context, OllamaChatStream stream, OllamaChatLine first, ReplyShape reply, CancellationToken ct)
    {
        var text = new StringBuilder();
        var line = first;
        while (true)
        {
            if (line.Error is not null)
            {
                logger.LogWarning("Ollama failed mid-answer: {Error}", line.Error);
                await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, $"Internal server error during LLM processing: {line.Error}");
                return;
            }

            text.Append(line.Message?.Content);
            if (line.Done)
            {
                var choice = new LlmChoice
                {
                    Index = 0,
                    FinishReason = OllamaTranslation.FinishReason(line.DoneReason),
                    Message = new LlmMessage("assistant", text.ToString()),
                };
                await context.Response.WriteAsJsonAsync(reply.Build(choice, Usage(line, 0)), WireJson.Options, ct);
                return;
            }

            line = await NextAsync(stream, ct);
        }
    }

    private async Task StreamAsync(HttpContext context, OllamaChatStream stream, OllamaChatLine first, ReplyShape reply, CancellationToken ct)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var chunks = 0;
        var line = first;
        try
        {
            while (true)
            {
                if (line.Error is not null)
                {
                    logger.LogWarning("Ollama failed mid-stream after {Chunks} chunks: {Error}", chunks, line.Error);
                    await WriteEventAsync(response, reply.Build(Delta("", OllamaTranslation.ErrorFinishReason), new LlmUsage(0, chunks, chunks)), ct);
                    break;
                }

                if (line.Done)
                {
                    var finish = OllamaTranslation.FinishReason(line.DoneReason);
                    await WriteEventAsync(response, reply.Build(Delta(line.Message?.Content ?? "", finish), Usage(line, chunks)), ct);
                    break;
                }

                if (!string.IsNullOrEmpty(line.Message?.Content))
                {
                    chunks++;
                    await WriteEventAsync(response, reply.Build(Delta(line.Message.Content, ""), new LlmUsage(0, chunks, chunks)), ct);
                }

                line = await NextAsync(stream, ct);
            }

            await response.Body.WriteAsync(Done, ct);
            await response.Body.FlushAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            logger.LogInformation("Client went away after {Chunks} chunks", chunks);
        }
    }

    /// <summary>The next line; a broken connection or an early end becomes an error line.</summary>
    private static async Task<OllamaChatLine> NextAsync(OllamaChatStream stream, CancellationToken ct)
    {
        try
        {
            return await stream.ReadAsync(ct) ?? new OllamaChatLine { Error = "Ollama ended the stream without a final (done) line" };
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return new OllamaChatLine { Error = $"Ollama connection failed: {e.Message}" };
        }
    }

    private static LlmChoice Delta(string content, string finishReason) =>
        new() { Index = 0, FinishReason = finishReason, Delta = new LlmMessage("assistant", content) };

    /// <summary>Usage from Ollama's counts; the chunk count stands in when eval_count is missing.</summary>
    private static LlmUsage Usage(OllamaChatLine done, int chunks)
    {
        var prompt = done.PromptEvalCount ?? 0;
        var completion = done.EvalCount ?? chunks;
        return new LlmUsage(prompt, completion, prompt + completion);
    }

    private static async Task WriteEventAsync(HttpResponse response, LlmResponse chunk, CancellationToken ct)
    {
        await response.Body.WriteAsync(DataPrefix, ct);
        await response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(chunk, WireJson.Options), ct);
        await response.Body.WriteAsync(EventEnd, ct);
        await response.Body.FlushAsync(ct);
    }

    internal static Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(RunnerError.Of(message), WireJson.Options, context.RequestAborted);
    }

    private sealed record ReplyShape(string Id, string Model, long Created)
    {
        public LlmResponse Build(LlmChoice choice, LlmUsage usage) =>
            new() { Id = Id, Model = Model, Created = Created, Usage = usage, Choices = [choice] };
    }
}
