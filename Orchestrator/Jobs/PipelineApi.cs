using System.Net.Http.Headers;
using LivepeerAspire.Orchestrator.Models;
using LivepeerAspire.Orchestrator.Payments;
using LivepeerAspire.Orchestrator.Runners;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Orchestrator.Jobs.Progress;
using LivepeerAspire.Protocol.Progress;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Orchestrator.Jobs;

/// <summary>
/// The AI job routes. Order as in go-livepeer's handleAIRequest: decode and check the body (400/413), pick
/// the model (400 when not served), reserve capacity (503 "insufficient capacity", before any payment), process
/// payment, forward to the runner with its bearer token, relay the answer unchanged (SSE flushed event by
/// event), debit fees on success, release the slot when the response has ended.
/// </summary>
public static class PipelineApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        foreach (var pipeline in PipelineCatalog.All)
        {
            app.MapPost(pipeline.Route, (HttpContext context) => HandleAsync(context, pipeline));
        }
    }

    private static async Task HandleAsync(HttpContext context, Pipeline pipeline)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<OrchestratorOptions>>().Value;
        var catalog = services.GetRequiredService<ModelCatalog>();
        var stats = services.GetRequiredService<JobStats>();

        if (catalog.ForPipeline(pipeline).Count == 0)
        {
            await JobErrors.WriteAsync(context, StatusCodes.Status400BadRequest, UnknownModel(catalog, pipeline, ""));
            return;
        }

        var body = await BodyReader.ReadAsync(context, options.MaxRequestBodyBytes);
        if (body.Error is { } tooLarge)
        {
            await JobErrors.WriteAsync(context, tooLarge.Status, tooLarge.Message);
            return;
        }

        var parsed = await JobReader.ReadAsync(pipeline, body.Bytes, context.Request.ContentType, context.RequestAborted);
        if (parsed.Job is not { } job)
        {
            await JobErrors.WriteAsync(context, parsed.Status, parsed.Error!);
            return;
        }

        var model = catalog.Resolve(pipeline, job.RequestedModel);
        if (model is null)
        {
            await JobErrors.WriteAsync(context, StatusCodes.Status400BadRequest, UnknownModel(catalog, pipeline, job.RequestedModel));
            return;
        }

        var progressHeader = context.Request.Headers[ProgressHeaders.Progress].ToString();
        ProgressJob? progress = null;
        if (progressHeader.Length > 0)
        {
            var id = context.Request.Headers[ProgressHeaders.Job].ToString();
            if (ProgressHeaders.ParseChunkSteps(progressHeader, out var stepsError) is not { } chunkSteps)
            {
                await JobErrors.WriteAsync(context, StatusCodes.Status400BadRequest, stepsError!);
                return;
            }

            if (!ProgressHeaders.IsJobId(id))
            {
                await JobErrors.WriteAsync(context, StatusCodes.Status400BadRequest, $"{ProgressHeaders.Progress} needs {ProgressHeaders.Job}: 8–64 characters of A-Z, a-z, 0-9, - and _ (got '{id}')");
                return;
            }

            if (!model.OffersProgress)
            {
                await JobErrors.WriteAsync(context, StatusCodes.Status400BadRequest, $"progress is not offered for {pipeline.Name} {model.ModelId} here (its runner does not report steps); send the job without {ProgressHeaders.Progress}");
                return;
            }

            progress = new ProgressJob(id, chunkSteps, model, job.Units);
        }

        using var lease = model.TryReserve();
        if (lease is null)
        {
            stats.CountCapacityRejection();
            await JobErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, JobErrors.InsufficientCapacity);
            return;
        }

        var payments = services.GetRequiredService<IPaymentReceiver>();
        if (progress is not null)
        {
            await RunProgressAsync(context, pipeline, model, lease, body.Bytes, progress, payments, options);
            return;
        }

        var payment = new PaymentContext(context.Request.Headers, model, job.Units);
        var decision = await payments.ProcessPaymentAsync(payment, context.RequestAborted);
        if (!decision.Accepted)
        {
            await JobErrors.WriteAsync(context, decision.StatusCode, decision.Message ?? "payment refused");
            return;
        }

        var forwarder = services.GetRequiredService<RunnerForwarder>();
        var ok = await forwarder.ForwardAsync(context, lease.Runner, pipeline, body.Bytes);
        if (ok)
        {
            payments.DebitFees(payment, decision);
            model.CountServed();
            stats.CountServed();
        }
        else
        {
            stats.CountFailed();
        }
    }

    /// <summary>
    /// An interactive job: the request's payment is the entry deposit (0 units, never debited); each chunk is paid on
    /// <c>POST /progress/payment</c> and debited when delivered (docs/orchestrator.md § Pay per progress).
    /// </summary>
    private static async Task RunProgressAsync(
        HttpContext context, Pipeline pipeline, ServedModel model, RunnerLease lease, byte[] body, ProgressJob progress, IPaymentReceiver payments, OrchestratorOptions options)
    {
        var services = context.RequestServices;
        var stats = services.GetRequiredService<JobStats>();
        var jobs = services.GetRequiredService<ProgressJobs>();
        if (!jobs.TryAdd(progress))
        {
            await JobErrors.WriteAsync(context, StatusCodes.Status409Conflict, $"a progress job '{progress.Id}' is already running here; use a fresh {ProgressHeaders.Job}");
            return;
        }

        try
        {
            var deposit = await payments.ProcessPaymentAsync(new PaymentContext(context.Request.Headers, model, 0), context.RequestAborted);
            if (!deposit.Accepted)
            {
                await JobErrors.WriteAsync(context, deposit.StatusCode, deposit.Message ?? "payment refused");
                return;
            }

            var forwarder = services.GetRequiredService<RunnerForwarder>();
            var ok = await forwarder.ForwardProgressAsync(context, lease.Runner, pipeline, body, progress, payments, services.GetRequiredService<TimeProvider>(), options.ProgressPaymentGrace);
            if (ok)
            {
                model.CountServed();
                stats.CountServed();
            }
            else
            {
                stats.CountFailed();
            }
        }
        finally
        {
            jobs.Remove(progress);
        }
    }

    private static string UnknownModel(ModelCatalog catalog, Pipeline pipeline, string requested)
    {
        var served = catalog.ForPipeline(pipeline);
        if (served.Count == 0)
        {
            return $"this orchestrator serves no model for {pipeline.Name}";
        }

        var list = string.Join(", ", served.Select(m => m.ModelId));
        return requested.Length == 0
            ? $"no model_id given and {pipeline.Name} has several models here, none the default {pipeline.DefaultModelId}; choose one of: {list}"
            : $"model '{requested}' is not served for {pipeline.Name} by this orchestrator; served: {list}";
    }
}
