using System.Net;
using LivepeerAspire.Orchestrator.Runners;
using LivepeerAspire.Protocol.Pipelines;
using Yarp.ReverseProxy.Forwarder;

namespace LivepeerAspire.Orchestrator.Jobs;

/// <summary>
/// Sends a job to its runner with YARP's <see cref="IHttpForwarder"/> and relays the answer: status, content type and
/// body as they come, flushed read by read so SSE events reach the gateway one by one. Runner errors that are not JSON
/// are wrapped in the <c>{"detail":{"msg"}}</c> shape; a runner that refuses the bearer token is this orchestrator's
/// misconfiguration, so it becomes a 500 that says so. A runner that breaks off mid-answer has the gateway's
/// connection cut, so the gateway sees the break rather than a short but complete answer.
/// </summary>
public sealed class RunnerForwarder(IHttpForwarder forwarder, RunnerHttp http, ILogger<RunnerForwarder> logger)
{
    private static readonly RunnerTransformer Transformer = new();

    /// <summary>
    /// HTTP/1.1 as the runners speak it. A job may compute for minutes before its answer starts; the gateway's deadline,
    /// which closes its connection, bounds it, so YARP's idle timeout is only a backstop.
    /// </summary>
    private static readonly ForwarderRequestConfig Config = new()
    {
        ActivityTimeout = TimeSpan.FromHours(1),
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };

    /// <summary>True when the runner answered 2xx and the whole body reached the client.</summary>
    public async Task<bool> ForwardAsync(HttpContext context, RunnerEndpoint runner, Pipeline pipeline, byte[] body)
    {
        var job = new RunnerJob(runner, pipeline, body);
        context.Features.Set(job);
        // The body was read to check it; YARP sends what the request body stream gives, so it reads it again from memory.
        context.Request.Body = new MemoryStream(body, writable: false);
        var error = await forwarder.SendAsync(context, job.Destination.GetLeftPart(UriPartial.Authority), http.Invoker, Config, Transformer, context.RequestAborted);
        context.Features.Set<RunnerJob>(null);
        if (job.Refusal is var (status, message))
        {
            if (status == StatusCodes.Status500InternalServerError)
            {
                logger.LogError("Runner {Url} refused the bearer token from aiModels entry {Index}", runner.BaseUrl, runner.Entry.Index);
            }

            await JobErrors.WriteAsync(context, status, message);
            return false;
        }

        switch (error)
        {
            case ForwarderError.None:
                return context.Response.StatusCode is >= 200 and < 300;
            case ForwarderError.RequestCanceled or ForwarderError.ResponseBodyCanceled or ForwarderError.RequestBodyCanceled:
                return false;
            case ForwarderError.Request or ForwarderError.RequestTimedOut when !context.Response.HasStarted:
                var reason = ReasonOf(context, error);
                logger.LogWarning("Runner {Url} unreachable for {Pipeline}: {Error}", runner.BaseUrl, pipeline, reason);
                context.Response.Clear();
                await JobErrors.WriteAsync(context, StatusCodes.Status502BadGateway, $"{pipeline.Name} runner is unreachable: {reason}");
                return false;
            default:
                logger.LogWarning("Relaying {Pipeline} from {Url} stopped: {Error}", pipeline, runner.BaseUrl, ReasonOf(context, error));
                return false;
        }
    }

    /// <summary>
    /// Pay per progress: the runner's per-step events go through a <see cref="Progress.ProgressMeter"/> (its own
    /// context, as the gateway forwards each attempt), which relays them to the gateway, holds each chunk to its payment
    /// and cancels the runner's request when a payment does not come or the gateway goes away. True when the result
    /// reached the gateway.
    /// </summary>
    internal async Task<bool> ForwardProgressAsync(
        HttpContext context, RunnerEndpoint runner, Pipeline pipeline, byte[] body, Progress.ProgressJob progressJob,
        Payments.IPaymentReceiver payments, TimeProvider time, TimeSpan grace)
    {
        var job = new RunnerJob(runner, pipeline, body) { Progress = true };
        var exchange = new DefaultHttpContext();
        exchange.Request.Method = HttpMethods.Post;
        exchange.Request.ContentType = context.Request.ContentType;
        exchange.Request.ContentLength = body.Length;
        exchange.Request.Body = new MemoryStream(body, writable: false);
        exchange.Features.Set(job);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var meter = new Progress.ProgressMeter(context, progressJob, payments, time, grace, stop) { Runner = exchange };
        exchange.Response.Body = meter;
        var error = await forwarder.SendAsync(exchange, job.Destination.GetLeftPart(UriPartial.Authority), http.Invoker, Config, Transformer, stop.Token);
        if (job.Refusal is var (status, message))
        {
            await JobErrors.WriteAsync(context, status, message);
            return false;
        }

        if (meter.Completed || meter.Stopped is not null || meter.Refused || context.RequestAborted.IsCancellationRequested)
        {
            if (meter.Stopped is { } why)
            {
                logger.LogInformation("Progress job {Job} on {Url} stopped: {Reason}", progressJob.Id, runner.BaseUrl, why);
            }

            return meter.Completed;
        }

        var reason = error == ForwarderError.None ? "the runner's stream ended without a result" : ReasonOf(exchange, error);
        logger.LogWarning("Progress job {Job} for {Pipeline} from {Url} failed: {Error}", progressJob.Id, pipeline, runner.BaseUrl, reason);
        await meter.StopAsync($"{pipeline.Name} runner failed: {reason}", StatusCodes.Status502BadGateway);
        return false;
    }

    private static string ReasonOf(HttpContext context, ForwarderError error) =>
        context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message ?? error.ToString();
}

/// <summary>The job one forwarding call carries, for <see cref="RunnerTransformer"/>; it notes a refusal it kept back.</summary>
internal sealed class RunnerJob(RunnerEndpoint runner, Pipeline pipeline, byte[] body)
{
    public RunnerEndpoint Runner { get; } = runner;

    public Pipeline Pipeline { get; } = pipeline;

    public byte[] Body { get; } = body;

    public Uri Destination { get; } = new(runner.BaseUrl, pipeline.Name);

    public (int Status, string Message)? Refusal { get; set; }

    /// <summary>Pay per progress: ask the runner for per-step events.</summary>
    public bool Progress { get; init; }
}
