using System.Numerics;
using System.Text;
using System.Text.Json;
using LivepeerAspire.Gateway.Observability;
using LivepeerAspire.Gateway.Payments;
using LivepeerAspire.Gateway.Progress;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Protocol.Progress;
using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Gateway.Forwarding;

/// <summary>
/// One interactive attempt (docs/gateway.md § Pay per progress), and the stream YARP writes the orchestrator's events
/// into. It checks every event (a step that does not go forward, more steps than n, n changing, a result before the
/// last step: <see cref="FailureKind.Error"/>, suspended), pays chunk k with <c>POST /progress/payment</c> when chunk
/// k−1 is delivered (chunk 1 on step 0), settles each chunk's payment when its chunk is delivered, measures steps/s
/// and abandons the attempt when the projected finish passes the job's deadline (<see cref="FailureKind.TooSlow"/>,
/// not suspended) or the events stop (<see cref="FailureKind.Timeout"/>, suspended). Abandoning cancels the attempt,
/// which closes the connection and so stops the orchestrator's runner.
/// </summary>
public sealed class ProgressAttempt : WriteOnlyStream
{
    private readonly GatewayJob job;
    private readonly AiSession session;
    private readonly PaymentTicket deposit;
    private readonly IPaymentSender payments;
    private readonly HttpMessageInvoker http;
    private readonly TimeProvider time;
    private readonly ProgressOptions options;
    private readonly GatewayMetrics metrics;
    private readonly int number;
    private readonly SseEventReader reader = new();
    private readonly Lock gate = new();
    private readonly Dictionary<int, PaymentTicket> paidUndelivered = [];
    private Task paying = Task.CompletedTask;
    private CancellationTokenSource? attemptTimer;
    private CancellationToken clientGone;
    private ITimer? watch;
    private Chunks chunks;
    private int lastStep = -1;
    private int delivered;
    private int requested;
    private long attemptStarted;
    private long stepZero;
    private long lastChunkAt;
    private TimeSpan longestGap;
    private bool finished;

    internal ProgressAttempt(GatewayJob job, AiSession session, PaymentTicket deposit, IPaymentSender payments, HttpMessageInvoker http, TimeProvider time, ProgressOptions options, GatewayMetrics metrics, int number)
    {
        this.job = job;
        this.session = session;
        this.deposit = deposit;
        this.payments = payments;
        this.http = http;
        this.time = time;
        this.options = options;
        this.metrics = metrics;
        this.number = number;
        ChunkSteps = options.ChunkSteps;
        Id = $"{Guid.NewGuid():N}";
    }

    /// <summary>The <c>Livepeer-Job</c> id of this attempt.</summary>
    public string Id { get; }

    public int ChunkSteps { get; }

    /// <summary>Step 0 arrived: the orchestrator accepted the job and its entry deposit.</summary>
    public bool Started => lastStep >= 0;

    /// <summary>The entry deposit was settled here (as credit kept on both sides) once the job started.</summary>
    public bool DepositSettled { get; private set; }

    /// <summary>Wei of the chunk payments the orchestrator accepted (or that may have reached it).</summary>
    public BigInteger PaidWei { get; private set; }

    public int ChunksPaid { get; private set; }

    public int ChunksDelivered => delivered;

    /// <summary>Set once the relay decided the attempt: the result, or why it was abandoned.</summary>
    public AttemptResult? Outcome { get; private set; }

    /// <summary>too_slow, stalled, protocol, payment or orchestrator, when abandoned.</summary>
    public string? AbandonReason { get; private set; }

    /// <summary>The projected whole-attempt duration at the last measurement (time to step 0 + n ÷ steps/s).</summary>
    public TimeSpan? ProjectedDuration { get; private set; }

    /// <summary>Steps per second measured from step 0 to the last event.</summary>
    public double? StepsPerSecond { get; private set; }

    internal void Arm(CancellationTokenSource timer, CancellationToken client)
    {
        attemptTimer = timer;
        clientGone = client;
        attemptStarted = time.GetTimestamp();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Outcome is not null)
        {
            return;
        }

        foreach (var e in reader.Feed(buffer.Span))
        {
            if (Outcome is not null)
            {
                return;
            }

            switch (e.Name)
            {
                case ProgressHeaders.EventProgress:
                    await OnProgressAsync(e.Data).ConfigureAwait(false);
                    break;
                case ProgressHeaders.EventResult:
                    if (lastStep < 0 || lastStep != chunks.TotalSteps)
                    {
                        Abandon("protocol", FailureKind.Error, $"the orchestrator sent a result at step {lastStep} of {chunks.TotalSteps}");
                        break;
                    }

                    var attempt = new Attempt(job, session, deposit, number, TimeSpan.Zero);
                    Decide(OrchestratorForwarder.Validate(attempt, Encoding.UTF8.GetBytes(e.Data)), null);
                    break;
                case ProgressHeaders.EventError:
                    Abandon("orchestrator", FailureKind.Error, "the orchestrator stopped the job: " + ErrorClassifier.MessageOf(e.Data));
                    break;
            }
        }
    }

    private async Task OnProgressAsync(string data)
    {
        ProgressEvent? progress;
        try
        {
            progress = JsonSerializer.Deserialize<ProgressEvent>(data, WireJson.Options);
        }
        catch (JsonException e)
        {
            Abandon("protocol", FailureKind.Error, $"unreadable progress event: {e.Message}");
            return;
        }

        if (Violation(progress) is { } violation)
        {
            Abandon("protocol", FailureKind.Error, violation);
            return;
        }

        var now = time.GetTimestamp();
        var step = progress!.Step;
        var pay = 0;
        lock (gate)
        {
            if (step == 0)
            {
                chunks = new Chunks(progress.TotalSteps, ChunkSteps);
                stepZero = now;
                lastChunkAt = now;
                pay = 1;
            }
            else if (chunks.EndsChunk(step))
            {
                var gap = time.GetElapsedTime(lastChunkAt, now);
                longestGap = gap > longestGap ? gap : longestGap;
                lastChunkAt = now;
                var reached = chunks.DeliveredAt(step);
                for (var k = delivered + 1; k <= reached; k++)
                {
                    if (paidUndelivered.Remove(k, out var ticket))
                    {
                        payments.Complete(ticket, PaymentOutcome.Succeeded);
                    }
                }

                delivered = reached;
                pay = reached < chunks.Count ? reached + 1 : 0;
            }

            lastStep = step;
        }

        if (step == 0)
        {
            // The orchestrator accepted the deposit and debits nothing for it: the credit stays on both sides.
            payments.Complete(deposit, PaymentOutcome.Succeeded);
            DepositSettled = true;
            var left = DeadlineLeft();
            attemptTimer?.CancelAfter(left > TimeSpan.Zero ? left + TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(1));
        }

        if (job.ProgressSink is { } sink)
        {
            // Before the next chunk is paid: a client that has gone away fails this write and stops the attempt unpaid.
            await sink.ProgressAsync(progress with { Orchestrator = session.AdvertisedUri, Attempt = number, Chunk = null, Chunks = null, PaidChunks = null }, clientGone).ConfigureAwait(false);
        }

        if (pay > 0)
        {
            Pay(pay);
        }

        if (step > 0)
        {
            var elapsed = time.GetElapsedTime(stepZero, now).TotalSeconds;
            if (elapsed > 0)
            {
                StepsPerSecond = step / elapsed;
                ProjectedDuration = time.GetElapsedTime(attemptStarted, stepZero) + TimeSpan.FromSeconds(chunks.TotalSteps / StepsPerSecond.Value);
            }

            if (step >= chunks.EndStep(1) && step < chunks.TotalSteps && StepsPerSecond is > 0 and var rate)
            {
                var finish = TimeSpan.FromSeconds((chunks.TotalSteps - step) / rate);
                if (finish > DeadlineLeft() * (1 + options.AbandonMargin))
                {
                    Abandon("too_slow", FailureKind.TooSlow, $"too slow for the deadline: {rate:0.###} steps/s, step {step} of {chunks.TotalSteps}, {finish.TotalSeconds:0.###} s to go with {Math.Max(0, DeadlineLeft().TotalSeconds):0.###} s left");
                    return;
                }
            }
        }

        Watch();
    }

    private string? Violation(ProgressEvent? progress)
    {
        if (progress is null || progress.TotalSteps < 1)
        {
            return "a progress event without total_steps";
        }

        if (progress.Step > progress.TotalSteps)
        {
            return $"progress claims step {progress.Step} of {progress.TotalSteps}";
        }

        if (lastStep < 0)
        {
            return progress.Step == 0 ? null : $"the first progress event must be step 0 (got step {progress.Step})";
        }

        if (progress.TotalSteps != chunks.TotalSteps)
        {
            return $"total_steps changed from {chunks.TotalSteps} to {progress.TotalSteps}";
        }

        return progress.Step <= lastStep ? $"progress went backwards: step {progress.Step} after step {lastStep}" : null;
    }

    /// <summary>
    /// Arms the check between events: the moment the next chunk (ending at step s'), arriving then, would project past
    /// the deadline by more than the margin m — x = (1+m)·L ÷ ((n − s')/s' + 1 + m) after step 0, L the time left at step 0
    /// (with m = 0: L·s'/n) — or the stall limit (StallFactor × the longest chunk gap), whichever comes first.
    /// </summary>
    private void Watch()
    {
        var now = time.GetTimestamp();
        TimeSpan dueBound;
        TimeSpan? dueStall = null;
        lock (gate)
        {
            var next = chunks.EndStep(Math.Min(delivered + 1, chunks.Count));
            var sinceZero = time.GetElapsedTime(stepZero, now);
            var zeroToDeadline = sinceZero + DeadlineLeft();
            var m = options.AbandonMargin;
            dueBound = (zeroToDeadline * ((1 + m) / (((double)(chunks.TotalSteps - next) / next) + 1 + m))) - sinceZero;
            if (delivered > 0)
            {
                dueStall = StallLimit - time.GetElapsedTime(lastChunkAt, now);
            }
        }

        var stall = dueStall is { } s && s < dueBound;
        var due = stall ? dueStall!.Value : dueBound;
        watch?.Dispose();
        watch = time.CreateTimer(_ => Expired(stall, delivered), null, due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private void Expired(bool stall, int deliveredWhenArmed)
    {
        if (delivered != deliveredWhenArmed)
        {
            return; // a chunk came in meanwhile; its event re-armed the check
        }

        if (stall)
        {
            Abandon("stalled", FailureKind.Timeout, $"stalled: no progress for {StallLimit.TotalSeconds:0.###} s after chunk {delivered} of {chunks.Count} (Progress:StallFactor × the longest chunk gap, at least Progress:StallMinimum)");
        }
        else
        {
            // No event since: the next chunk is later than now, so the whole job takes at least the time to step 0 plus
            // (time since step 0) × n ÷ (the next chunk's last step). That lower bound is the speed sample adaptive gets,
            // not the elapsed time, which would make a GPU that never reported look fast.
            var now = time.GetTimestamp();
            var next = chunks.EndStep(Math.Min(delivered + 1, chunks.Count));
            var bound = time.GetElapsedTime(attemptStarted, stepZero) + (time.GetElapsedTime(stepZero, now) * ((double)chunks.TotalSteps / next));
            ProjectedDuration = ProjectedDuration is { } measured && measured > bound ? measured : bound;
            Abandon("too_slow", FailureKind.TooSlow, delivered >= chunks.Count
                ? "too slow for the deadline: every step was reported but the result had not arrived by the deadline"
                : $"too slow for the deadline: chunk {delivered + 1} of {chunks.Count} had not arrived when even its arrival would project past the deadline (Progress:AbandonMargin {options.AbandonMargin:0.##})");
        }
    }

    private void Pay(int chunk)
    {
        lock (gate)
        {
            if (chunk <= requested)
            {
                return;
            }

            requested = chunk;
            paying = paying.ContinueWith(_ => PayAsync(chunk), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }
    }

    private async Task PayAsync(int chunk)
    {
        if (Outcome is not null || clientGone.IsCancellationRequested)
        {
            return;
        }

        PaymentTicket ticket;
        try
        {
            ticket = await payments.PrepareAsync(new PaymentRequest(session.Info, job.Pipeline, job.ModelId, chunks.UnitsOf(chunk, job.Units.Paid)), clientGone).ConfigureAwait(false);
        }
        catch (PaymentUnavailableException e)
        {
            Abandon("payment", FailureKind.Ticket, $"cannot pay chunk {chunk}: {e.Message}");
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, AttemptExchange.RouteOf(session.ServiceUri, ProgressHeaders.PaymentRoute))
        {
            Version = System.Net.HttpVersion.Version11,
            Content = new ByteArrayContent([]),
        };
        foreach (var (name, value) in ticket.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation(ProgressHeaders.Job, Id);
        request.Headers.TryAddWithoutValidation(ProgressHeaders.Chunk, chunk.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            using var response = await http.SendAsync(request, clientGone).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                lock (gate)
                {
                    PaidWei += ticket.FeeWei;
                    ChunksPaid = chunk;
                    if (chunk <= delivered)
                    {
                        payments.Complete(ticket, PaymentOutcome.Succeeded);
                    }
                    else
                    {
                        paidUndelivered[chunk] = ticket;
                    }
                }

                metrics.ChunkPaid(job.Pipeline.Name);
                return;
            }

            var text = await response.Content.ReadAsStringAsync(CancellationToken.None).ConfigureAwait(false);
            payments.Complete(ticket, PaymentOutcome.Refused);
            Abandon("payment", FailureKind.Ticket, $"the orchestrator refused the payment for chunk {chunk}: {(int)response.StatusCode} {ErrorClassifier.MessageOf(text)}");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            // It may have reached the orchestrator: spent, as go-livepeer counts a payment it cannot confirm.
            lock (gate)
            {
                PaidWei += ticket.FeeWei;
                paidUndelivered[chunk] = ticket;
            }

            if (!clientGone.IsCancellationRequested)
            {
                Abandon("payment", FailureKind.Error, $"the payment for chunk {chunk} failed: {e.Message}");
            }
        }
    }

    private void Abandon(string reason, FailureKind kind, string message)
    {
        if (Decide(AttemptResult.Fail(kind, 200, message), reason))
        {
            attemptTimer?.Cancel();
        }
    }

    private bool Decide(AttemptResult result, string? reason)
    {
        lock (gate)
        {
            if (Outcome is not null)
            {
                return false;
            }

            Outcome = result;
            AbandonReason = reason;
        }

        watch?.Dispose();
        return true;
    }

    /// <summary>After the exchange: waits for a payment in flight, then counts every paid chunk not delivered as spent.</summary>
    internal async Task FinishAsync()
    {
        watch?.Dispose();
        Task inFlight;
        lock (gate)
        {
            inFlight = paying;
        }

        await inFlight.ConfigureAwait(false);
        lock (gate)
        {
            if (finished)
            {
                return;
            }

            finished = true;
            foreach (var ticket in paidUndelivered.Values)
            {
                payments.Complete(ticket, PaymentOutcome.Failed);
            }

            paidUndelivered.Clear();
        }
    }

    private TimeSpan StallLimit => longestGap * options.StallFactor is var limit && limit > options.StallMinimum ? limit : options.StallMinimum;

    private TimeSpan DeadlineLeft() => job.Deadline - time.GetElapsedTime(job.StartedTimestamp);
}
