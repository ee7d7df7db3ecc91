using LivepeerAspire.Orchestrator.Discovery;
using LivepeerAspire.Orchestrator.Jobs;
using LivepeerAspire.Orchestrator.Models;
using LivepeerAspire.Orchestrator.Payments;
using LivepeerAspire.Orchestrator.Runners;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Orchestrator.Status;

/// <summary>GET /status: a camelCase JSON snapshot for dashboards.</summary>
public static class StatusApi
{
    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/status", (
        ModelCatalog catalog,
        JobStats jobs,
        IPaymentReceiver payments,
        ITicketParamsSource identity,
        ServiceUriResolver serviceUri,
        IOptions<OrchestratorOptions> options) =>
    {
        var paid = payments.Stats;
        return Results.Json(new
        {
            name = options.Value.Name,
            address = "0x" + Convert.ToHexStringLower(identity.Address.Span),
            serviceUri = serviceUri.Resolve(),
            ready = catalog.Runners.All(r => r.State == RunnerState.Ready),
            models = catalog.Models.Select(m => new
            {
                pipeline = m.Pipeline.Name,
                capability = m.Pipeline.CapabilityId,
                modelId = m.ModelId,
                warm = m.Warm,
                capacity = m.Capacity,
                inUse = m.InUse,
                jobsServed = m.JobsServed,
                price = m.PriceFor(null) is { } p
                    ? new { weiPerUnit = p.ToString(), weiPerUnitApprox = p.ToDouble() }
                    : null,
                runnerVersion = m.RunnerVersion,
                runners = m.Runners.Select(r => new
                {
                    url = r.BaseUrl.ToString(),
                    state = r.State.ToString(),
                    status = r.LastStatus,
                    version = r.Version,
                    capacity = r.Capacity,
                    inUse = r.InUse,
                    failure = r.FailureReason,
                }),
            }),
            jobsServed = jobs.Served,
            jobsFailed = jobs.Failed,
            capacityRejections = jobs.RejectedForCapacity,
            ticketsReceived = paid.TicketsReceived,
            winningTickets = paid.WinningTickets,
            ticketsRedeemed = paid.TicketsRedeemed,
            feesDebitedWei = paid.FeesDebitedWei,
            payments = new
            {
                mode = paid.Mode,
                ticketsReceived = paid.TicketsReceived,
                winningTickets = paid.WinningTickets,
                ticketsRedeemed = paid.TicketsRedeemed,
                pendingRedemptions = paid.PendingRedemptions,
                failedRedemptions = paid.FailedRedemptions,
                failedRedemptionReasons = paid.FailedRedemptionReasons,
                creditedWei = paid.CreditedWei,
                feesDebitedWei = paid.FeesDebitedWei,
                redeemedFaceValueWei = paid.RedeemedFaceValueWei,
                paymentsRefused = paid.PaymentsRefused,
            },
        });
    });
}
