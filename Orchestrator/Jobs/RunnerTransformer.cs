using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace LivepeerAspire.Orchestrator.Jobs;

/// <summary>
/// Shapes the orchestrator → runner request for YARP's forwarder: the body already read and checked (YARP reads it
/// back from memory), its content type and the runner's bearer token (aiModels.json <c>token</c>). The gateway's headers, its
/// <c>Livepeer-Payment</c>/<c>Livepeer-Segment</c> credentials and hop-by-hop headers are not passed on. On the way
/// back the runner's answer is relayed as it comes, except a refused token or a non-JSON error, which are kept from
/// the gateway so that <see cref="RunnerForwarder"/> can answer in the <c>{"detail":{"msg"}}</c> shape.
/// </summary>
internal sealed class RunnerTransformer : HttpTransformer
{
    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        var job = httpContext.Features.GetRequiredFeature<RunnerJob>();
        proxyRequest.RequestUri = job.Destination;
        if (proxyRequest.Content is { } content)
        {
            content.Headers.ContentLength = job.Body.Length;
            if (httpContext.Request.ContentType is { } contentType)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        if (job.Progress)
        {
            proxyRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        }

        if (job.Runner.Entry.Token is { } token)
        {
            proxyRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null)
        {
            return false;
        }

        var job = httpContext.Features.GetRequiredFeature<RunnerJob>();
        var status = (int)proxyResponse.StatusCode;
        if (proxyResponse.StatusCode == HttpStatusCode.Unauthorized)
        {
            job.Refusal = (StatusCodes.Status500InternalServerError, $"{job.Pipeline.Name} runner refused the orchestrator's bearer token (check token in aiModels.json)");
            return false;
        }

        var mediaType = proxyResponse.Content.Headers.ContentType?.MediaType ?? "";
        if (status >= 400 && !mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            var text = (await proxyResponse.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim();
            job.Refusal = (status, $"{job.Pipeline.Name} runner returned {status}: {(text.Length <= 500 ? text : text[..500] + "…")}");
            return false;
        }

        await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (mediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            httpContext.Response.Headers.CacheControl = "no-cache";
        }

        return true;
    }
}
