using LivepeerAspire.Orchestrator.Payments;
using LivepeerAspire.Protocol.Progress;
using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Orchestrator.Jobs.Progress;

/// <summary>
/// <c>POST /progress/payment</c>: one chunk's payment for a running interactive job. Checked against the job first
/// (404 unknown or ended, 409 not the next chunk or not reached), then like a job's payment (402/403/400 from
/// <see cref="IPaymentReceiver"/>) for the chunk's share of the units; nothing is credited when a check fails.
/// </summary>
public static class ChunkPaymentApi
{
    public static void Map(IEndpointRouteBuilder app) => app.MapPost(ProgressHeaders.PaymentRoute, HandleAsync);

    private static async Task HandleAsync(HttpContext context)
    {
        var id = context.Request.Headers[ProgressHeaders.Job].ToString();
        if (!ProgressHeaders.IsJobId(id))
        {
            await JobErrors.WriteAsync(context, 400, $"{ProgressHeaders.Job} must name the job: 8–64 characters of A-Z, a-z, 0-9, - and _ (got '{id}')");
            return;
        }

        if (!int.TryParse(context.Request.Headers[ProgressHeaders.Chunk].ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var chunk) || chunk < 1)
        {
            await JobErrors.WriteAsync(context, 400, $"{ProgressHeaders.Chunk} must be the chunk number, 1 or more (got '{context.Request.Headers[ProgressHeaders.Chunk]}')");
            return;
        }

        var jobs = context.RequestServices.GetRequiredService<ProgressJobs>();
        if (jobs.Get(id) is not { } job)
        {
            await JobErrors.WriteAsync(context, 404, $"no running progress job '{id}' here; its chunks cannot be paid (it ended, or never started)");
            return;
        }

        if (job.TryReserve(chunk) is { } refusal)
        {
            await JobErrors.WriteAsync(context, 409, refusal);
            return;
        }

        try
        {
            var payments = context.RequestServices.GetRequiredService<IPaymentReceiver>();
            var payment = new PaymentContext(new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value)), job.Model, job.Chunks!.Value.UnitsOf(chunk, job.Units));
            var decision = await payments.ProcessPaymentAsync(payment, context.RequestAborted);
            if (!decision.Accepted)
            {
                job.Release(chunk);
                await JobErrors.WriteAsync(context, decision.StatusCode, decision.Message ?? "payment refused");
                return;
            }

            job.Accept(chunk, payment, decision);
            await context.Response.WriteAsJsonAsync(new ChunkPaymentAnswer(chunk, job.Paid, job.Delivered), WireJson.Options);
        }
        catch
        {
            job.Release(chunk);
            throw;
        }
    }
}
