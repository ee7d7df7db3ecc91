using System.Numerics;
using System.Text.Json;
using LivepeerAspire.Gateway.Progress;
using LivepeerAspire.Protocol.Progress;
using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Gateway.Api;

/// <summary>
/// A batch job whose client sent <c>Accept: text/event-stream</c>: <c>progress</c> events as the attempts report them,
/// then <c>result</c> (the plain call's JSON body) and <c>done</c> (orchestrator, attempts, fee), or <c>error</c>. The
/// stream starts with the first event, so a job refused before it runs still gets a plain JSON error.
/// </summary>
internal sealed class ProgressEvents(HttpResponse response) : IProgressSink
{
    private readonly SemaphoreSlim writing = new(1, 1);

    public bool Started { get; private set; }

    /// <summary>The client asked for events on a pipeline that can report steps.</summary>
    public static bool Wanted(HttpRequest request, Protocol.Pipelines.Pipeline pipeline) =>
        ProgressOffer.Pipeline(pipeline)
        && request.Headers.Accept.Any(a => a is not null && a.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase));

    public Task ProgressAsync(ProgressEvent progress, CancellationToken cancellationToken) =>
        SendAsync(ProgressHeaders.EventProgress, JsonSerializer.Serialize(progress, WireJson.Options), cancellationToken);

    public async Task ResultAsync(byte[] body, string? orchestrator, int attempts, BigInteger fee, CancellationToken cancellationToken)
    {
        await SendAsync(ProgressHeaders.EventResult, System.Text.Encoding.UTF8.GetString(body), cancellationToken).ConfigureAwait(false);
        var done = new Dictionary<string, object?> { ["orchestrator"] = orchestrator, ["attempts"] = attempts, ["fee_wei"] = fee.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        await SendAsync(ProgressHeaders.EventDone, JsonSerializer.Serialize(done, WireJson.Options), cancellationToken).ConfigureAwait(false);
    }

    public Task ErrorAsync(string message, CancellationToken cancellationToken) =>
        SendAsync(ProgressHeaders.EventError, JsonSerializer.Serialize(RunnerError.Of(message), WireJson.Options), cancellationToken);

    private async Task SendAsync(string name, string data, CancellationToken cancellationToken)
    {
        await writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!Started)
            {
                response.StatusCode = 200;
                response.ContentType = "text/event-stream";
                response.Headers.CacheControl = "no-cache";
                Started = true;
            }

            await response.Body.WriteAsync(SseEventReader.Format(name, data), cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            writing.Release();
        }
    }
}
