using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LivepeerAspire.Gateway.Observability;

/// <summary>
/// The gateway's own spans under each job's request span (selection, payment, each attempt) and the counters beside
/// them, in the <c>LivepeerAspire.Gateway</c> source and meter that ServiceDefaults exports to the Aspire dashboard.
/// LLM attempts carry OpenTelemetry's <c>gen_ai.*</c> request attributes.
/// </summary>
internal static class GatewayTelemetry
{
    public const string Name = "LivepeerAspire.Gateway";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);
    private static readonly Counter<long> Suspensions = Meter.CreateCounter<long>("livepeer.gateway.suspensions", description: "orchestrators suspended after a failed attempt");
    private static readonly Counter<long> Attempts = Meter.CreateCounter<long>("livepeer.gateway.attempts", description: "attempts sent to orchestrators, by outcome");
    private static readonly Counter<double> Fees = Meter.CreateCounter<double>("livepeer.gateway.fees", "wei", "fees attached to attempts");
    private static readonly UpDownCounter<long> InFlight = Meter.CreateUpDownCounter<long>("livepeer.gateway.attempts.in_flight", description: "attempts waiting for an orchestrator");

    public static Activity? StartSelection(string pipeline, string modelId, int attempt)
    {
        var activity = Source.StartActivity("livepeer.select");
        activity?.SetTag("livepeer.pipeline", pipeline);
        activity?.SetTag("livepeer.model_id", modelId);
        activity?.SetTag("livepeer.attempt", attempt);
        return activity;
    }

    public static void Selected(Activity? activity, string? orchestrator, string? reason, int pooled, int alreadyTried)
    {
        activity?.SetTag("livepeer.pool_size", pooled);
        activity?.SetTag("livepeer.already_tried", alreadyTried);
        if (orchestrator is not null)
        {
            activity?.SetTag("livepeer.orchestrator", orchestrator);
        }
        else
        {
            activity?.SetStatus(ActivityStatusCode.Error, reason);
        }
    }

    public static Activity? StartPayment(string orchestrator)
    {
        var activity = Source.StartActivity("livepeer.pay");
        activity?.SetTag("livepeer.orchestrator", orchestrator);
        return activity;
    }

    public static void Paid(Activity? activity, System.Numerics.BigInteger feeWei, int headers)
    {
        activity?.SetTag("livepeer.fee_wei", feeWei.ToString(System.Globalization.CultureInfo.InvariantCulture));
        activity?.SetTag("livepeer.payment", headers > 0);
        Fees.Add((double)feeWei);
    }

    public static Activity? StartAttempt(string pipeline, string modelId, string orchestrator, int number)
    {
        var activity = Source.StartActivity(ActivityKind.Client, name: $"livepeer.attempt {pipeline}");
        activity?.SetTag("livepeer.pipeline", pipeline);
        activity?.SetTag("livepeer.model_id", modelId);
        activity?.SetTag("livepeer.orchestrator", orchestrator);
        activity?.SetTag("livepeer.attempt", number);
        if (pipeline == "llm")
        {
            activity?.SetTag("gen_ai.operation.name", "chat");
            activity?.SetTag("gen_ai.provider.name", "livepeer");
            activity?.SetTag("gen_ai.request.model", modelId);
        }

        InFlight.Add(1);
        return activity;
    }

    public static void AttemptEnded(Activity? activity, string pipeline, bool ok, string? failure, string? message)
    {
        InFlight.Add(-1);
        var outcome = ok ? "ok" : failure ?? "error";
        Attempts.Add(1, new KeyValuePair<string, object?>("pipeline", pipeline), new KeyValuePair<string, object?>("outcome", outcome));
        activity?.SetTag("livepeer.outcome", outcome);
        if (!ok)
        {
            activity?.SetStatus(ActivityStatusCode.Error, message);
        }
    }

    public static void Suspended(string pipeline, string orchestrator) =>
        Suspensions.Add(1, new KeyValuePair<string, object?>("pipeline", pipeline), new KeyValuePair<string, object?>("orchestrator", orchestrator));
}
