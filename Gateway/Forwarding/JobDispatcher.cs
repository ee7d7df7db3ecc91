using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Gateway.Observability;
using LivepeerAspire.Gateway.Payments;
using LivepeerAspire.Gateway.Queueing;
using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Gateway.Timeouts;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Forwarding;

/// <summary>
/// The retry loop (go-livepeer processAIRequest, with a deadline): select, pay, send, and on failure classify —
/// capacity and ticket errors go to another orchestrator with a cooldown and no suspension; a bad request is
/// returned to the client; timeouts and other errors suspend the orchestrator and go on — until the job's deadline,
/// Timeouts:MaxAttempts tries, or no candidate is left (503 with the reasons). Optional hedging for non-streamed jobs.
/// When every candidate is at capacity the job waits in the <see cref="CapacityQueue"/> (before any payment) until a
/// slot frees, and goes on from there; capacity refusals do not count towards Timeouts:MaxAttempts.
/// </summary>
public sealed class JobDispatcher(
    AiSessionManager sessions,
    IPaymentSender payments,
    SpeedTracker speeds,
    Cooldowns cooldowns,
    CapacityQueue queue,
    GatewayMetrics metrics,
    TimeProvider time,
    IOptionsMonitor<TimeoutOptions> timeouts,
    Progress.ProgressOffer? progressOffer = null,
    GatewayHttp? http = null)
{
    public delegate Task<AttemptResult> Sender(Attempt attempt, CancellationToken cancellationToken);

    public async Task<DispatchOutcome> RunAsync(GatewayJob job, Sender send, CancellationToken cancellationToken)
    {
        var options = timeouts.CurrentValue;
        var target = new PipelineModel(job.Pipeline, job.ModelId);
        var exclude = new HashSet<string>(StringComparer.Ordinal);
        var refusedForCapacity = new HashSet<string>(StringComparer.Ordinal);
        var reasons = new List<string>();
        var attempts = 0;
        var counted = 0;
        long? place = null;
        var queued = TimeSpan.Zero;
        while (counted < options.MaxAttempts)
        {
            var elapsed = time.GetElapsedTime(job.StartedTimestamp);
            var remaining = job.Deadline - elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                return Unavailable($"no orchestrator answered within the {job.Deadline.TotalSeconds:0.###} s deadline", reasons, attempts);
            }

            if (options.RetryWindow > TimeSpan.Zero && attempts > 0 && elapsed > options.RetryWindow)
            {
                return Unavailable($"no orchestrators available within the {options.RetryWindow.TotalSeconds:0.###} s retry window", reasons, attempts);
            }

            if (queue.Options.Enabled)
            {
                var version = queue.Version(target);
                var slots = sessions.Slots(job.Pipeline, job.ModelId, exclude, refusedForCapacity);
                var behindOthers = place is null && slots.Candidates > 0 && queue.Waiting(target) > 0;
                if (slots.AllBusy || behindOthers)
                {
                    if (behindOthers && slots.Free > 0)
                    {
                        // A newcomer sees a free slot that the line has not been woken for: it belongs to the head.
                        queue.SlotFreed(target);
                        version = queue.Version(target);
                    }

                    var holdsPlace = place is not null;
                    place ??= queue.NewPlace();
                    var waitStarted = time.GetTimestamp();
                    var exit = await queue.WaitAsync(target, place.Value, holdsPlace, version, slots.FirstCooldownEnd, WaitLimit(job, elapsed, queued, options), cancellationToken)
                        .ConfigureAwait(false);
                    queued += time.GetElapsedTime(waitStarted);
                    metrics.QueueExit(job.Pipeline.Name, exit.ToString());
                    switch (exit)
                    {
                        case QueueExit.Woken:
                            exclude.ExceptWith(refusedForCapacity);
                            refusedForCapacity.Clear();
                            continue;
                        case QueueExit.Cancelled:
                            return new DispatchOutcome { Status = 499, Message = "client closed the request while it waited for capacity", Attempts = attempts, FailoverReasons = reasons };
                        case QueueExit.Full:
                            return Busy($"every orchestrator for {job.Pipeline.Name} {job.ModelId} is at capacity and {queue.Options.MaxWaiting} jobs already wait (Queue:MaxWaiting)", reasons, attempts);
                        default:
                            return Busy($"every orchestrator for {job.Pipeline.Name} {job.ModelId} stayed at capacity while this job waited {queued.TotalSeconds:0.#} s", reasons, attempts);
                    }
                }
            }

            SelectionResult selected;
            using (var span = GatewayTelemetry.StartSelection(job.Pipeline.Name, job.ModelId, attempts + 1))
            {
                selected = await sessions.SelectAsync(job.Pipeline, job.ModelId, job.Units.Work, remaining, exclude, cancellationToken).ConfigureAwait(false);
                var selector = sessions.SelectorFor(job.Pipeline, job.ModelId);
                GatewayTelemetry.Selected(span, selected.Session?.Key, selected.Reason, selector.WarmPool.Count + selector.ColdPool.Count, exclude.Count);
            }

            if (selected.Session is not { } session)
            {
                return Unavailable(selected.Reason ?? "no orchestrators available", reasons, attempts);
            }

            attempts++;
            counted++;
            exclude.Add(session.Key);
            var attemptTimeout = AttemptTimeout(job, session, remaining, options);
            var useHedge = options.Hedging && !job.Stream;
            var (result, winner, fee) = useHedge
                ? await HedgedAsync(job, session, attempts, attemptTimeout, options, exclude, send, cancellationToken).ConfigureAwait(false)
                : await OneAsync(job, session, attempts, attemptTimeout, send, cancellationToken).ConfigureAwait(false);
            if (useHedge && winner != session)
            {
                attempts++;
            }

            if (result.Ok)
            {
                return new DispatchOutcome
                {
                    Ok = true,
                    Body = result.Body,
                    Session = winner,
                    Attempts = attempts,
                    Fee = fee,
                    Committed = result.Committed,
                    TimeToFirstToken = result.TimeToFirstToken,
                    FailoverReasons = reasons,
                };
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return new DispatchOutcome { Status = 499, Message = "client closed the request", Session = winner, Attempts = attempts, FailoverReasons = reasons };
            }

            reasons.Add($"{winner.Key}: {result.Failure} {result.Message}".TrimEnd());
            metrics.Failover(job.Pipeline.Name, result.Failure?.ToString() ?? "error");
            if (result.Failure == FailureKind.Capacity && queue.Options.Enabled)
            {
                refusedForCapacity.Add(winner.Key);
                counted--;
            }

            if (result.Failure == FailureKind.BadRequest)
            {
                return new DispatchOutcome
                {
                    Status = result.Status is >= 400 and < 500 ? result.Status : 400,
                    Message = result.Message,
                    Session = winner,
                    Attempts = attempts,
                    FailoverReasons = reasons,
                };
            }

            if (result.Committed)
            {
                return new DispatchOutcome
                {
                    Status = 502,
                    Message = result.Message,
                    Session = winner,
                    Attempts = attempts,
                    Committed = true,
                    TimeToFirstToken = result.TimeToFirstToken,
                    FailoverReasons = reasons,
                };
            }
        }

        return Unavailable($"no orchestrators available after {attempts} attempts", reasons, attempts);
    }

    private async Task<(AttemptResult Result, AiSession Session, System.Numerics.BigInteger Fee)> OneAsync(
        GatewayJob job, AiSession session, int number, TimeSpan timeout, Sender send, CancellationToken cancellationToken)
    {
        PaymentTicket payment;
        var paySpan = GatewayTelemetry.StartPayment(session.Key);
        // An interactive attempt pays a 0-unit entry deposit here and each chunk as it comes (ProgressAttempt).
        var interactive = progressOffer is not null && http is not null && progressOffer.Use(job, session);
        var preparing = time.GetTimestamp();
        // Preparing the payment may ask the orchestrator for fresh ticket params; one that takes the connection and
        // never answers (a SIGSTOP-frozen process) must not hold the job past the attempt timeout.
        using var prepareTimer = new CancellationTokenSource(timeout, time);
        using var prepareToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, prepareTimer.Token);
        try
        {
            payment = await payments.PrepareAsync(new PaymentRequest(session.Info, job.Pipeline, job.ModelId, interactive ? 0 : job.Units.Paid), prepareToken.Token).ConfigureAwait(false);
            GatewayTelemetry.Paid(paySpan, payment.FeeWei, payment.Headers.Count);
        }
        catch (PaymentUnavailableException e)
        {
            paySpan?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Message);
            // Nothing was sent: try another orchestrator, without suspending or charging this one.
            return (AttemptResult.Fail(FailureKind.Ticket, 0, e.Message), session, System.Numerics.BigInteger.Zero);
        }
        catch (OperationCanceledException) when (prepareTimer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            paySpan?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "ticket params timed out");
            // Nothing was paid; the orchestrator did not answer in time, as a hung one would not: suspend it and try another.
            return (AttemptResult.Fail(FailureKind.Timeout, 0, $"no ticket params within the {timeout.TotalSeconds:0.###} s attempt timeout"), session, System.Numerics.BigInteger.Zero);
        }
        finally
        {
            paySpan?.Dispose();
        }

        // The attempt's time limit covers the payment's preparation too.
        var left = timeout - time.GetElapsedTime(preparing);
        timeout = left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);

        var started = time.GetTimestamp();
        // The job waits behind this gateway's other jobs at that orchestrator; the speed sample divides by all of
        // that work, the same model AdaptiveStrategy.Expected predicts with, so queueing is not counted twice.
        var workAhead = session.InFlightWork;
        session.Begin(job.Units.Work);
        var target = new PipelineModel(job.Pipeline, job.ModelId);
        if (queue.Waiting(target) > 0 && sessions.Slots(job.Pipeline, job.ModelId, NoneExcluded, NoneExcluded).Free > 0)
        {
            // This job was woken for one slot and more are free (a cooldown of a larger GPU ended): the next one may go too.
            queue.SlotFreed(target);
        }

        AttemptResult result;
        var progress = interactive ? new ProgressAttempt(job, session, payment, payments, http!.Invoker, time, progressOffer!.Options, metrics, number) : null;
        using var attemptSpan = GatewayTelemetry.StartAttempt(job.Pipeline.Name, job.ModelId, session.Key, number);
        try
        {
            result = await send(new Attempt(job, session, payment, number, timeout) { Progress = progress }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            result = AttemptResult.Fail(FailureKind.Error, 0, "cancelled");
        }
        finally
        {
            session.End(job.Units.Work);
        }

        GatewayTelemetry.AttemptEnded(attemptSpan, job.Pipeline.Name, result.Ok, result.Failure?.ToString(), result.Message);

        var took = time.GetElapsedTime(started);
        var fee = payment.FeeWei + (progress?.PaidWei ?? System.Numerics.BigInteger.Zero);
        Account(job, session, payment, result, workAhead, took, cancellationToken.IsCancellationRequested, progress);
        if (!result.Ok && (progress?.Started == true || result.Failure is FailureKind.Timeout or FailureKind.Error or FailureKind.TooSlow))
        {
            var reason = cancellationToken.IsCancellationRequested ? "client" : progress?.AbandonReason ?? result.Failure.ToString()!.ToLowerInvariant();
            metrics.AttemptAbandoned(job.Pipeline.Name, reason, took, fee);
        }

        if (result.Failure is not (FailureKind.Capacity or FailureKind.Ticket))
        {
            // The attempt held one of that orchestrator's slots, which is free now whatever an earlier 503 said.
            cooldowns.End(session.Key, target);
        }

        queue.SlotFreed(target);
        return (result, session, fee);
    }

    /// <summary>Sends to a second orchestrator if the first has not answered after the hedge delay; the first success wins and the other is cancelled.</summary>
    private async Task<(AttemptResult Result, AiSession Session, System.Numerics.BigInteger Fee)> HedgedAsync(
        GatewayJob job, AiSession first, int number, TimeSpan timeout, TimeoutOptions options, HashSet<string> exclude, Sender send, CancellationToken cancellationToken)
    {
        using var race = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var primary = OneAsync(job, first, number, timeout, send, race.Token);
        var delay = HedgeDelay(job, first, timeout, options);
        var timer = Task.Delay(delay, time, race.Token);
        if (await Task.WhenAny(primary, timer).ConfigureAwait(false) == primary)
        {
            return await primary.ConfigureAwait(false);
        }

        var remaining = job.Deadline - time.GetElapsedTime(job.StartedTimestamp);
        var second = await sessions.SelectAsync(job.Pipeline, job.ModelId, job.Units.Work, remaining, exclude, cancellationToken).ConfigureAwait(false);
        if (second.Session is not { } hedge)
        {
            return await primary.ConfigureAwait(false);
        }

        exclude.Add(hedge.Key);
        metrics.Hedge(job.Pipeline.Name);
        var secondary = OneAsync(job, hedge, number + 1, Min(remaining, timeout), send, race.Token);
        var done = await Task.WhenAny(primary, secondary).ConfigureAwait(false);
        var other = done == primary ? secondary : primary;
        var outcome = await done.ConfigureAwait(false);
        if (outcome.Result.Ok)
        {
            await race.CancelAsync().ConfigureAwait(false);
            await other.ConfigureAwait(false);
            return outcome;
        }

        var rest = await other.ConfigureAwait(false);
        return rest.Result.Ok ? rest : outcome;
    }

    /// <summary>
    /// min(time left, max(configured attempt timeout, 2 × this orchestrator's expected completion)): a hung
    /// orchestrator is left in time to fail over, while one known to be slow but working is not cut off.
    /// </summary>
    private TimeSpan AttemptTimeout(GatewayJob job, AiSession session, TimeSpan remaining, TimeoutOptions options)
    {
        var configured = options.AttemptTimeoutFor(job.Pipeline, job.Deadline);
        if (speeds.Get(session.Key, new PipelineModel(job.Pipeline, job.ModelId)) is { Samples: > 0 } speed)
        {
            var expected = TimeSpan.FromSeconds(2 * AdaptiveStrategy.Expected(session, speed.SecondsPerUnit, job.Units.Work));
            configured = expected > configured ? expected : configured;
        }

        return Min(remaining, configured);
    }

    private TimeSpan HedgeDelay(GatewayJob job, AiSession session, TimeSpan timeout, TimeoutOptions options)
    {
        var speed = speeds.Get(session.Key, new PipelineModel(job.Pipeline, job.ModelId));
        var byShare = timeout * options.HedgeAfterShare;
        if (speed is { Samples: > 2 })
        {
            // Expected time plus a margin stands in for the p95 of this orchestrator's latency.
            var expected = TimeSpan.FromSeconds(AdaptiveStrategy.Expected(session, speed.SecondsPerUnit, job.Units.Work) * 1.5);
            return Min(expected, byShare);
        }

        return byShare;
    }

    private void Account(GatewayJob job, AiSession session, PaymentTicket payment, AttemptResult result, double workAhead, TimeSpan took, bool clientGone, ProgressAttempt? progress = null)
    {
        if (progress?.DepositSettled == true)
        {
            // The entry deposit of an interactive attempt was settled when the job started; chunks settle themselves.
            payment = PaymentTicket.Free;
        }

        if (result.Failure == FailureKind.TooSlow)
        {
            // Not suspended: it works, only too slowly for this deadline. Its projected time teaches adaptive so.
            speeds.Record(session.Key, new PipelineModel(job.Pipeline, job.ModelId), progress?.ProjectedDuration ?? took, workAhead + job.Units.Work);
            payments.Complete(payment, PaymentOutcome.Failed);
            return;
        }

        if (result.Ok)
        {
            var work = result.ActualWork is > 0 ? result.ActualWork.Value : job.Units.Work;
            speeds.Record(session.Key, new PipelineModel(job.Pipeline, job.ModelId), took, workAhead + work);
            session.LatencyScore = took.TotalSeconds / work;
            payments.Complete(payment, PaymentOutcome.Succeeded);
            return;
        }

        if (clientGone)
        {
            payments.Complete(payment, PaymentOutcome.Failed);
            return;
        }

        var opts = timeouts.CurrentValue;
        switch (result.Failure)
        {
            case FailureKind.Capacity or FailureKind.Ticket:
                cooldowns.CoolDown(session.Key, new PipelineModel(job.Pipeline, job.ModelId), opts.CooldownTime);
                payments.Complete(payment, PaymentOutcome.Refused);
                break;
            case FailureKind.BadRequest:
                payments.Complete(payment, PaymentOutcome.Refused);
                break;
            case FailureKind.Timeout:
                speeds.Record(session.Key, new PipelineModel(job.Pipeline, job.ModelId), took, workAhead + job.Units.Work);
                sessions.Suspend(session);
                GatewayTelemetry.Suspended(job.Pipeline.Name, session.Key);
                payments.Complete(payment, PaymentOutcome.Failed);
                break;
            default:
                sessions.Suspend(session);
                GatewayTelemetry.Suspended(job.Pipeline.Name, session.Key);
                payments.Complete(payment, PaymentOutcome.Failed);
                break;
        }
    }

    /// <summary>
    /// How long the job may still wait for a slot: the rest of its deadline, at most Queue:MaxWait in all, and for a
    /// streamed job the rest of Timeouts:FirstToken, which the queue may not eat past.
    /// </summary>
    private TimeSpan WaitLimit(GatewayJob job, TimeSpan elapsed, TimeSpan queued, TimeoutOptions options)
    {
        var limit = job.Deadline - elapsed;
        if (queue.Options.MaxWait is { } maxWait)
        {
            limit = Min(limit, maxWait - queued);
        }

        return job.Stream ? Min(limit, options.FirstToken - elapsed) : limit;
    }

    private DispatchOutcome Busy(string why, List<string> reasons, int attempts) =>
        Unavailable(why, reasons, attempts) with { RetryAfter = queue.Options.RetryAfter };

    private static readonly IReadOnlySet<string> NoneExcluded = new HashSet<string>();

    private static DispatchOutcome Unavailable(string why, List<string> reasons, int attempts) => new()
    {
        Status = 503,
        Message = reasons.Count == 0 ? why : $"{why}; tried: {string.Join("; ", reasons)}",
        Attempts = attempts,
        FailoverReasons = reasons,
    };

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
