using System.Collections.Concurrent;
using System.Net;
using System.Text;
using LivepeerAspire.Orchestrator.Payments;
using Microsoft.Extensions.DependencyInjection;

namespace LivepeerAspire.Orchestrator.Tests;

public sealed class PaymentSeamTests
{
    private sealed class ScriptedPayments(PaymentDecision decision) : IPaymentReceiver
    {
        public ConcurrentQueue<PaymentContext> Processed { get; } = new();
        public ConcurrentQueue<PaymentContext> Debited { get; } = new();

        public ValueTask<PaymentDecision> ProcessPaymentAsync(PaymentContext job, CancellationToken ct)
        {
            Processed.Enqueue(job);
            return ValueTask.FromResult(decision);
        }

        public void DebitFees(PaymentContext job, PaymentDecision accepted) => Debited.Enqueue(job);

        public PaymentStats Stats => new(Processed.Count, 0, 0, "0");
    }

    private static async Task<(FakeRunner, OrchestratorHost)> StartAsync(ScriptedPayments payments)
    {
        var runner = await FakeRunner.StartAsync();
        var orch = await OrchestratorHost.StartAsync(
            $$"""[{"pipeline":"text-to-image","model_id":"stabilityai/sdxl-turbo","url":"{{runner.Url}}","price_per_unit":3,"pixels_per_unit":2}]""",
            services: s => s.AddSingleton<IPaymentReceiver>(payments));
        await orch.WaitReadyAsync();
        return (runner, orch);
    }

    private static StringContent Job => new("""{"prompt":"x","height":64,"width":32,"num_images_per_prompt":2}""", Encoding.UTF8, "application/json");

    [Fact]
    public async Task An_accepted_payment_is_debited_once_the_job_succeeded_with_the_units_and_manifest_id()
    {
        var payments = new ScriptedPayments(PaymentDecision.Accept("0xsender"));
        var (runner, orch) = await StartAsync(payments);
        await using (runner)
        await using (orch)
        {
            (await orch.Client.PostAsync("/text-to-image", Job)).StatusCode.ShouldBe(HttpStatusCode.OK);

            var debited = payments.Debited.ShouldHaveSingleItem();
            debited.Units.ShouldBe(64 * 32 * 2);
            debited.ManifestId.ShouldBe("27_stabilityai/sdxl-turbo");
            debited.DefaultWeiPerUnit.ShouldBe(new Protocol.Pricing.BigRational(3, 2));
        }
    }

    [Fact]
    public async Task A_refused_payment_answers_its_status_and_the_runner_never_sees_the_job()
    {
        var payments = new ScriptedPayments(PaymentDecision.Refuse(402, "Could not parse payment"));
        var (runner, orch) = await StartAsync(payments);
        await using (runner)
        await using (orch)
        {
            var response = await orch.Client.PostAsync("/text-to-image", Job);

            response.StatusCode.ShouldBe(HttpStatusCode.PaymentRequired);
            (await Errors.DetailAsync(response)).ShouldBe("Could not parse payment");
            runner.Jobs.ShouldBeEmpty();
            payments.Debited.ShouldBeEmpty();
        }
    }

    [Fact]
    public async Task A_failed_job_is_not_debited()
    {
        var payments = new ScriptedPayments(PaymentDecision.Accept());
        var (runner, orch) = await StartAsync(payments);
        await using (runner)
        await using (orch)
        {
            runner.JobFailure = (500, "application/json", """{"detail":{"msg":"Text-to-image pipeline error."}}""");

            (await orch.Client.PostAsync("/text-to-image", Job)).StatusCode.ShouldBe(HttpStatusCode.InternalServerError);

            payments.Processed.Count.ShouldBe(1);
            payments.Debited.ShouldBeEmpty();
        }
    }
}
