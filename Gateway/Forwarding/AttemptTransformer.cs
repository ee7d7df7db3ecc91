using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace LivepeerAspire.Gateway.Forwarding;

/// <summary>
/// Shapes each attempt's request and judges its answer. The request is built from the job only: the buffered body
/// (replayed for every attempt), its content type, the Accept the job needs and this attempt's
/// <c>Livepeer-Payment</c>/<c>Livepeer-Segment</c>. Nothing the client sent as a header reaches an orchestrator,
/// so hop-by-hop headers, client <c>Livepeer-*</c> credentials and the client's own <c>Authorization</c> are
/// never forwarded (go-livepeer's gateway also builds a fresh request). A non-200 answer is read and classified
/// with <see cref="ErrorClassifier"/> and not forwarded, so the dispatcher can fail over.
/// </summary>
internal sealed class AttemptTransformer : HttpTransformer
{
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue AcceptEvents = new("text/event-stream");

    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        var exchange = httpContext.Features.GetRequiredFeature<AttemptExchange>();
        var job = exchange.Attempt.Job;
        proxyRequest.RequestUri = exchange.Destination;
        if (proxyRequest.Content is { } content)
        {
            content.Headers.ContentLength = job.Body.Length;
            content.Headers.TryAddWithoutValidation("Content-Type", job.ContentType);
        }

        proxyRequest.Headers.Accept.Add(job.Stream || exchange.Attempt.Progress is not null ? AcceptEvents : AcceptJson);
        if (exchange.Attempt.Progress is { } progress)
        {
            proxyRequest.Headers.TryAddWithoutValidation(Protocol.Progress.ProgressHeaders.Progress, progress.ChunkSteps.ToString(System.Globalization.CultureInfo.InvariantCulture));
            proxyRequest.Headers.TryAddWithoutValidation(Protocol.Progress.ProgressHeaders.Job, progress.Id);
        }

        foreach (var (name, value) in exchange.Attempt.Payment.Headers)
        {
            proxyRequest.Headers.TryAddWithoutValidation(name, value);
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null)
        {
            return false;
        }

        var exchange = httpContext.Features.GetRequiredFeature<AttemptExchange>();
        var status = (int)proxyResponse.StatusCode;
        if (status == StatusCodes.Status200OK)
        {
            if (httpContext.Response.Body is MemoryStream buffer && proxyResponse.Content.Headers.ContentLength is { } length and <= int.MaxValue)
            {
                buffer.Capacity = (int)length;
            }

            return true;
        }

        var text = await proxyResponse.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        exchange.Refused = AttemptResult.Fail(ErrorClassifier.Classify(status, text), status, $"returned {status}: {ErrorClassifier.MessageOf(text)}");
        return false;
    }
}
