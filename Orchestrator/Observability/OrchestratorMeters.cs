using System.Diagnostics.Metrics;
using LivepeerAspire.Orchestrator.Jobs;
using LivepeerAspire.Orchestrator.Models;
using LivepeerAspire.Orchestrator.Payments;

namespace LivepeerAspire.Orchestrator.Observability;

/// <summary>
/// What the orchestrator counts, as OpenTelemetry instruments read when exported (the <c>LivepeerAspire.Orchestrator</c>
/// meter, shown in the Aspire dashboard's metrics): tickets received, winning and redeemed, jobs served and failed,
/// and capacity in use per pipeline and model.
/// </summary>
internal sealed class OrchestratorMeters : IDisposable
{
    public const string Name = "LivepeerAspire.Orchestrator";

    private readonly Meter meter = new(Name);

    public OrchestratorMeters(IPaymentReceiver payments, JobStats jobs, ModelCatalog catalog)
    {
        meter.CreateObservableCounter("livepeer.orchestrator.tickets.received", () => payments.Stats.TicketsReceived, description: "tickets received and accepted");
        meter.CreateObservableCounter("livepeer.orchestrator.tickets.winning", () => payments.Stats.WinningTickets, description: "winning tickets");
        meter.CreateObservableCounter("livepeer.orchestrator.tickets.redeemed", () => payments.Stats.TicketsRedeemed, description: "winning tickets redeemed on the ledger");
        meter.CreateObservableCounter("livepeer.orchestrator.jobs.served", () => jobs.Served, description: "jobs answered 200");
        meter.CreateObservableCounter("livepeer.orchestrator.jobs.failed", () => jobs.Failed, description: "jobs that failed at the runner");
        meter.CreateObservableGauge("livepeer.orchestrator.capacity.in_use", () => catalog.Models.Select(m =>
            new Measurement<int>(m.InUse, new KeyValuePair<string, object?>("pipeline", m.Pipeline.Name), new KeyValuePair<string, object?>("model_id", m.ModelId))),
            description: "jobs running per (pipeline, model)");
        meter.CreateObservableGauge("livepeer.orchestrator.capacity", () => catalog.Models.Select(m =>
            new Measurement<int>(m.Capacity, new KeyValuePair<string, object?>("pipeline", m.Pipeline.Name), new KeyValuePair<string, object?>("model_id", m.ModelId))),
            description: "capacity per (pipeline, model), from aiModels.json");
    }

    public void Dispose() => meter.Dispose();
}
