using LivepeerAspire.Protocol.Pipelines.Contracts;
using LivepeerAspire.Gateway.Forwarding;
using LivepeerAspire.Gateway.Observability;
using LivepeerAspire.Gateway.Payments;
using LivepeerAspire.Gateway.Queueing;
using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Gateway.Timeouts;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Tests.Forwarding;

/// <summary>
/// Issue 19's chaos run: before an attempt the on-chain sender may refresh the orchestrator's ticket params with a
/// GetOrchestrator call to it. To a SIGSTOP-frozen orchestrator that call connects (the kernel accepts) and never
/// answers, and it ran on the job's own token only, so the job waited past its attempt timeout, up to its deadline.
/// </summary>
public sealed class PaymentPreparationTimeoutTests
{
    private const string Model = "stabilityai/sdxl-turbo";

    [Fact]
    public async Task A_payment_that_hangs_on_a_frozen_orchestrator_is_cut_at_the_attempt_timeout_and_the_job_fails_over_unpaid_there()
    {
        var time = new ManualTimeProvider();
        var network = new FakeInfoClient();
        network.Network["http://127.0.0.1:9/"] = TestSessions.Info("http://127.0.0.1:9/", PipelineCatalog.TextToImage, Model, addressByte: 1);
        network.Network["http://127.0.0.1:10/"] = TestSessions.Info("http://127.0.0.1:10/", PipelineCatalog.TextToImage, Model, addressByte: 2);
        var sessions = network.Manager(time);
        var speeds = new SpeedTracker(TestSessions.Selection(new SelectionOptions()), time);
        using var metrics = new GatewayMetrics(time);
        var timeouts = new TimeoutOptions { Pipelines = { ["text-to-image"] = new PipelineTimeout { AttemptTimeout = TimeSpan.FromMilliseconds(200) } } };
        var payments = new FirstPaymentHangs();
        var dispatcher = new JobDispatcher(sessions, payments, speeds, new Cooldowns(time),
            new CapacityQueue(time, new StaticMonitor<QueueOptions>(new QueueOptions()), metrics), metrics, time, new StaticMonitor<TimeoutOptions>(timeouts));
        var sentTo = new List<string>();
        JobDispatcher.Sender send = (attempt, _) =>
        {
            lock (sentTo)
            {
                sentTo.Add(attempt.Session.Info.Transcoder);
            }

            return Task.FromResult(AttemptResult.Success([]));
        };

        var outcome = await dispatcher.RunAsync(new GatewayJob
        {
            Pipeline = PipelineCatalog.TextToImage,
            ModelId = Model,
            Units = new JobUnits(100, 100),
            Body = [],
            ContentType = "application/json",
            Deadline = TimeSpan.FromHours(1),
            StartedTimestamp = time.GetTimestamp(),
        }, send, default).WaitAsync(TimeSpan.FromSeconds(60));

        outcome.Ok.ShouldBeTrue(outcome.Message);
        outcome.Attempts.ShouldBe(2, "the frozen orchestrator's attempt was cut and the job went to the other one");
        payments.Calls.ShouldBe(2);
        sentTo.Count.ShouldBe(1, "nothing was sent to the orchestrator whose ticket params never came");
        sentTo.Single().ShouldNotBe(payments.HungOn);
        outcome.Session!.Info.Transcoder.ShouldNotBe(payments.HungOn);
    }

    /// <summary>The first payment waits until it is cancelled, as a ticket-params refresh to a frozen orchestrator does.</summary>
    private sealed class FirstPaymentHangs : IPaymentSender
    {
        private int calls;

        public int Calls => Volatile.Read(ref calls);

        public string? HungOn { get; private set; }

        public async ValueTask<PaymentTicket> PrepareAsync(PaymentRequest request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                HungOn = request.Orchestrator.Transcoder;
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return PaymentTicket.Free;
        }

        public void Complete(PaymentTicket ticket, PaymentOutcome outcome)
        {
        }
    }
}
