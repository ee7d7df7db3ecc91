using System.Globalization;
using LivepeerAspire.Gateway.Access.Storage;
using LivepeerAspire.Gateway.Api;
using LivepeerAspire.Gateway.Forwarding;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Access;

/// <summary>Access control on: budget headroom, the LLM token rate and the usage queue before a job; its usage row after.</summary>
public sealed class KeyJobAccounting(SpendLedger ledger, KeyRateLimits limits, UsageRecorder recorder, TimeProvider time) : IJobAccounting
{
    public void Admit(HttpContext context, GatewayJob job)
    {
        if (CallerContext.Current is not { } key)
        {
            return;
        }

        if (!recorder.Accepting)
        {
            context.Response.Headers.RetryAfter = "5";
            throw new GatewayError(StatusCodes.Status503ServiceUnavailable,
                $"usage cannot be recorded: the database does not answer ({recorder.LastError ?? "no error yet"}) and {recorder.Pending} usage rows are waiting; try again later");
        }

        if (ledger.IsExhausted(key, out var why))
        {
            throw new GatewayError(StatusCodes.Status403Forbidden, why);
        }

        if (job.Pipeline == PipelineCatalog.Llm)
        {
            limits.AcquireTokens(context, key, job.Units.Paid);
        }
    }

    public void Record(GatewayJob job, DispatchOutcome outcome, int status, TimeSpan latency)
    {
        if (CallerContext.Current is not { } key)
        {
            return;
        }

        recorder.Enqueue(new UsageRecord(
            key.Id,
            time.GetUtcNow(),
            job.Pipeline.Name,
            job.ModelId,
            outcome.Session?.Key,
            outcome.Attempts,
            outcome.Ok ? outcome.Fee : 0,
            Math.Round(latency.TotalMilliseconds, 1),
            status,
            OutcomeOf(outcome, status)));
    }

    private static string OutcomeOf(DispatchOutcome outcome, int status) => outcome switch
    {
        { Ok: true } => "succeeded",
        { Committed: true } => "interrupted",
        _ when status == 499 => "cancelled",
        _ when status is >= 400 and < 500 => "rejected",
        _ => "failed " + status.ToString(CultureInfo.InvariantCulture),
    };
}
