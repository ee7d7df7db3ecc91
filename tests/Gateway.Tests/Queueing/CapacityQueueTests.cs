using System.Collections.Concurrent;
using LivepeerAspire.Gateway.Forwarding;
using LivepeerAspire.Gateway.Observability;
using LivepeerAspire.Gateway.Payments;
using LivepeerAspire.Gateway.Queueing;
using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Gateway.Timeouts;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pipelines.Contracts;
using Microsoft.Extensions.Time.Testing;

namespace LivepeerAspire.Gateway.Tests.Queueing;

/// <summary>
/// Jobs that find every orchestrator at capacity wait in a FIFO line per (pipeline, model) and go as soon as a slot
/// frees, instead of failing at once. Time is a FakeTimeProvider: deadlines and cooldowns pass only when told.
/// </summary>
public sealed class CapacityQueueTests : IDisposable
{
    private const string Model = "stabilityai/sdxl-turbo";
    private const string Url = "http://127.0.0.1:9/";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly PipelineModel Target = new(PipelineCatalog.TextToImage, Model);

    private readonly FakeTimeProvider time = new();
    private readonly GatewayMetrics metrics;
    private readonly CountingPayments payments = new();
    private readonly ConcurrentQueue<(string Name, TaskCompletionSource<AttemptResult> Answer)> sent = new();
    private readonly SemaphoreSlim sends = new(0);
    private CapacityQueue queue = null!;
    private JobDispatcher dispatcher = null!;

    public CapacityQueueTests()
    {
        metrics = new GatewayMetrics(time);
    }

    public void Dispose()
    {
        queue.Dispose();
        metrics.Dispose();
        sends.Dispose();
    }

    [Fact]
    public async Task Waiting_jobs_go_in_the_order_they_came_and_a_newcomer_waits_behind_them()
    {
        Build(capacity: 1);
        var first = Run("a");
        var a = await NextSendAsync();
        var waiting = new List<Task<DispatchOutcome>>();
        foreach (var name in new[] { "b", "c", "d" })
        {
            waiting.Add(Run(name));
            await WaitingAsync(waiting.Count);
        }

        payments.Prepared.ShouldBe(1);
        a.Answer.SetResult(AttemptResult.Success([]));
        (await first.WaitAsync(Patience)).Ok.ShouldBeTrue();
        var b = await NextSendAsync();
        waiting.Add(Run("e"));
        await WaitingAsync(3);
        var order = new List<string> { b.Name };
        b.Answer.SetResult(AttemptResult.Success([]));
        for (var i = 0; i < 3; i++)
        {
            var next = await NextSendAsync();
            order.Add(next.Name);
            next.Answer.SetResult(AttemptResult.Success([]));
        }

        order.ShouldBe(["b", "c", "d", "e"]);
        foreach (var job in waiting)
        {
            (await job.WaitAsync(Patience)).Ok.ShouldBeTrue();
        }

        queue.Waiting(Target).ShouldBe(0);
        payments.Prepared.ShouldBe(5);
    }

    [Fact]
    public async Task A_full_queue_answers_503_with_retry_after_and_charges_nothing()
    {
        Build(capacity: 1, new QueueOptions { MaxWaiting = 2, RetryAfter = TimeSpan.FromSeconds(3) });
        _ = Run("a");
        await NextSendAsync();
        _ = Run("b");
        _ = Run("c");
        await WaitingAsync(2);

        var refused = await Run("d").WaitAsync(Patience);

        refused.Status.ShouldBe(503);
        refused.RetryAfter.ShouldBe(TimeSpan.FromSeconds(3));
        refused.Message.ShouldContain("Queue:MaxWaiting");
        refused.Attempts.ShouldBe(0);
        payments.Prepared.ShouldBe(1);
        queue.Waiting(Target).ShouldBe(2);
        metrics.Prometheus().ShouldContain("livepeer_gateway_queue_waiting{pipeline=\"text-to-image\",model=\"stabilityai/sdxl-turbo\"} 2");
    }

    [Fact]
    public async Task A_job_whose_deadline_passes_in_the_queue_gets_503_and_is_never_paid_for()
    {
        Build(capacity: 1);
        _ = Run("a", TimeSpan.FromSeconds(60));
        await NextSendAsync();
        var late = Run("b", TimeSpan.FromSeconds(10));
        await WaitingAsync(1);

        time.Advance(TimeSpan.FromSeconds(9));
        late.IsCompleted.ShouldBeFalse();
        time.Advance(TimeSpan.FromSeconds(1));
        var outcome = await late.WaitAsync(Patience);

        outcome.Status.ShouldBe(503);
        outcome.RetryAfter.ShouldNotBeNull();
        outcome.Message.ShouldContain("at capacity");
        queue.Waiting(Target).ShouldBe(0);
        payments.Prepared.ShouldBe(1);
        sent.Count.ShouldBe(0);
    }

    [Fact]
    public async Task A_client_that_leaves_while_queued_leaves_the_line_pays_nothing_and_the_slot_goes_to_the_next()
    {
        Build(capacity: 1);
        var first = Run("a");
        var a = await NextSendAsync();
        using var leaving = new CancellationTokenSource();
        var gone = Run("b", cancellationToken: leaving.Token);
        await WaitingAsync(1);
        var third = Run("c");
        await WaitingAsync(2);

        await leaving.CancelAsync();
        (await gone.WaitAsync(Patience)).Status.ShouldBe(499);
        queue.Waiting(Target).ShouldBe(1);
        a.Answer.SetResult(AttemptResult.Success([]));
        await first.WaitAsync(Patience);
        var c = await NextSendAsync();
        c.Name.ShouldBe("c");
        c.Answer.SetResult(AttemptResult.Success([]));

        (await third.WaitAsync(Patience)).Ok.ShouldBeTrue();
        payments.Prepared.ShouldBe(2);
    }

    [Fact]
    public async Task An_insufficient_capacity_answer_parks_the_job_until_the_cooldown_ends_then_it_goes_again()
    {
        Build(capacity: 1);
        var job = Run("a");
        (await NextSendAsync()).Answer.SetResult(AttemptResult.Fail(FailureKind.Capacity, 503, "insufficient capacity"));
        await WaitingAsync(1);
        job.IsCompleted.ShouldBeFalse();

        time.Advance(new TimeoutOptions().CooldownTime);
        var again = await NextSendAsync();
        again.Name.ShouldBe("a");
        again.Answer.SetResult(AttemptResult.Success([]));

        var outcome = await job.WaitAsync(Patience);
        outcome.Ok.ShouldBeTrue();
        outcome.Attempts.ShouldBe(2);
        payments.Refused.ShouldBe(1);
    }

    [Fact]
    public async Task A_streamed_job_waits_no_longer_than_its_first_token_deadline()
    {
        var timeouts = new TimeoutOptions { FirstToken = TimeSpan.FromSeconds(5) };
        Build(capacity: 1, timeouts: timeouts);
        _ = Run("a");
        await NextSendAsync();
        var stream = Run("b", TimeSpan.FromSeconds(60), stream: true);
        await WaitingAsync(1);

        time.Advance(TimeSpan.FromSeconds(5));
        var outcome = await stream.WaitAsync(Patience);

        outcome.Status.ShouldBe(503);
        payments.Prepared.ShouldBe(1);
    }

    [Fact]
    public async Task With_the_queue_off_a_job_that_finds_every_slot_taken_fails_at_once_as_before()
    {
        Build(capacity: 1, new QueueOptions { MaxWaiting = 0 });
        var job = Run("a");
        (await NextSendAsync()).Answer.SetResult(AttemptResult.Fail(FailureKind.Capacity, 503, "insufficient capacity"));

        var outcome = await job.WaitAsync(Patience);

        outcome.Status.ShouldBe(503);
        outcome.RetryAfter.ShouldBeNull();
        queue.Waiting(Target).ShouldBe(0);
    }

    private void Build(int capacity, QueueOptions? options = null, TimeoutOptions? timeouts = null)
    {
        var network = new FakeInfoClient();
        network.Network[Url] = TestSessions.Info(Url, PipelineCatalog.TextToImage, Model, capacity: capacity);
        var selection = TestSessions.Selection(new SelectionOptions());
        var speeds = new SpeedTracker(selection, time);
        var cooldowns = new Cooldowns(time);
        var sessions = new AiSessionManager(
            network.Discovery(time), selection, speeds, new ConfiguredStakeReader(selection), cooldowns, time,
            Microsoft.Extensions.Options.Options.Create(new LivepeerAspire.Gateway.Discovery.DiscoveryOptions()), new Random(1), new MaxPrices(TestSessions.Prices));
        queue = new CapacityQueue(time, new StaticMonitor<QueueOptions>(options ?? new QueueOptions()), metrics);
        dispatcher = new JobDispatcher(sessions, payments, speeds, cooldowns, queue, metrics, time, new StaticMonitor<TimeoutOptions>(timeouts ?? new TimeoutOptions()));
    }

    private Task<DispatchOutcome> Run(string name, TimeSpan? deadline = null, bool stream = false, CancellationToken cancellationToken = default)
    {
        var job = new GatewayJob
        {
            Pipeline = PipelineCatalog.TextToImage,
            ModelId = Model,
            Units = new JobUnits(100, 100),
            Body = System.Text.Encoding.UTF8.GetBytes(name),
            ContentType = "application/json",
            Stream = stream,
            Deadline = deadline ?? TimeSpan.FromMinutes(1),
            StartedTimestamp = time.GetTimestamp(),
        };
        return Task.Run(() => dispatcher.RunAsync(job, Send, cancellationToken));
    }

    private Task<AttemptResult> Send(Attempt attempt, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<AttemptResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        sent.Enqueue((System.Text.Encoding.UTF8.GetString(attempt.Job.Body), answer));
        sends.Release();
        return answer.Task;
    }

    private async Task<(string Name, TaskCompletionSource<AttemptResult> Answer)> NextSendAsync()
    {
        (await sends.WaitAsync(Patience)).ShouldBeTrue("no attempt was sent");
        sent.TryDequeue(out var next).ShouldBeTrue();
        return next;
    }

    /// <summary>The dispatcher runs on other threads; wait (in real time, briefly) until it has queued the jobs.</summary>
    private async Task WaitingAsync(int count)
    {
        var until = DateTime.UtcNow + Patience;
        while (queue.Waiting(Target) != count)
        {
            DateTime.UtcNow.ShouldBeLessThan(until, $"expected {count} waiting, found {queue.Waiting(Target)}");
            await Task.Delay(5);
        }
    }

    private sealed class CountingPayments : IPaymentSender
    {
        private int prepared;
        private int refused;

        public int Prepared => Volatile.Read(ref prepared);

        public int Refused => Volatile.Read(ref refused);

        public ValueTask<PaymentTicket> PrepareAsync(PaymentRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref prepared);
            return ValueTask.FromResult(PaymentTicket.Free);
        }

        public void Complete(PaymentTicket ticket, PaymentOutcome outcome)
        {
            if (outcome == PaymentOutcome.Refused)
            {
                Interlocked.Increment(ref refused);
            }
        }
    }
}
