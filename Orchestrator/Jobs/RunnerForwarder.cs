using System.Net;
using System.Net.Http.Headers;
using LivepeerAspire.Orchestrator.Runners;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Orchestrator.Jobs;

/// <summary>
/// Sends a job to its runner and relays the answer: status, content type and body as they come, flushing
/// every read so SSE events reach the gateway one by one. Runner errors that are not JSON are wrapped in
/// the <c>{"detail":{"msg"}}</c> shape; a runner that refuses the bearer token is this orchestrator's
/// misconfiguration, so it becomes a 500 that says so.
/// </summary>
public sealed class RunnerForwarder(RunnerHttp http, ILogger<RunnerForwarder> logger)
{
    /// <summary>True when the runner answered 2xx and the whole body reached the client.</summary>
    public async Task<bool> ForwardAsync(HttpContext context, RunnerEndpoint runner, Pipeline pipeline, byte[] body)
    {
        var ct = context.RequestAborted;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(runner.BaseUrl, pipeline.Name))
        {
            Content = new ByteArrayContent(body),
        };
        if (context.Request.ContentType is { } contentType)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (runner.Entry.Token is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning("Runner {Url} unreachable for {Pipeline}: {Error}", runner.BaseUrl, pipeline, e.Message);
            await JobErrors.WriteAsync(context, StatusCodes.Status502BadGateway, $"{pipeline.Name} runner is unreachable: {e.Message}");
            return false;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                logger.LogError("Runner {Url} refused the bearer token from aiModels entry {Index}", runner.BaseUrl, runner.Entry.Index);
                await JobErrors.WriteAsync(context, StatusCodes.Status500InternalServerError,
                    $"{pipeline.Name} runner refused the orchestrator's bearer token (check token in aiModels.json)");
                return false;
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
            if (status >= 400 && !mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
            {
                var text = await response.Content.ReadAsStringAsync(ct);
                await JobErrors.WriteAsync(context, status, $"{pipeline.Name} runner returned {status}: {Truncate(text.Trim())}");
                return false;
            }

            context.Response.StatusCode = status;
            if (response.Content.Headers.ContentType is { } type)
            {
                context.Response.ContentType = type.ToString();
            }

            if (mediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers.CacheControl = "no-cache";
            }

            try
            {
                await using var source = await response.Content.ReadAsStreamAsync(ct);
                var buffer = new byte[16 * 1024];
                int read;
                while ((read = await source.ReadAsync(buffer, ct)) > 0)
                {
                    await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), ct);
                    await context.Response.Body.FlushAsync(ct);
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
            {
                logger.LogWarning("Relaying {Pipeline} from {Url} stopped: {Error}", pipeline, runner.BaseUrl, e.Message);
                return false;
            }

            return status is >= 200 and < 300;
        }
    }

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500] + "…";
}
