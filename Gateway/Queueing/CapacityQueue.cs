using System.Collections.Concurrent;
using LivepeerAspire.Gateway.Observability;
using LivepeerAspire.Protocol.Pipelines;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Queueing;

/// <summary>How a job's wait in the capacity queue ended.</summary>
public enum QueueExit
{
    /// <summary>A slot freed (an attempt ended or a cooldown ran out): try again.</summary>
    Woken,

    /// <summary>The line already held Queue:MaxWaiting jobs.</summary>
    Full,

    /// <summary>The job's deadline (or Queue:MaxWait) passed while it waited.</summary>
    Expired,

    /// <summary>The client went away.</summary>
    Cancelled,
}

/// <summary>
/// One FIFO line per (pipeline, model) of jobs that found every orchestrator at capacity. A freed slot wakes the
/// job at the head; a job keeps its place (<see cref="NewPlace"/>) when it has to wait again. Waits are timers of
/// the injected TimeProvider, nothing polls.
/// </summary>
public sealed class CapacityQueue : IDisposable
{
    private readonly ConcurrentDictionary<PipelineModel, Line> lines = new();
    private readonly TimeProvider time;
    private readonly IOptionsMonitor<QueueOptions> options;
    private long places;

    public CapacityQueue(TimeProvider time, IOptionsMonitor<QueueOptions> options, GatewayMetrics metrics)
    {
        this.time = time;
        this.options = options;
        metrics.ObserveQueue(Lengths);
    }

    public QueueOptions Options => options.CurrentValue;

    /// <summary>A place in every line, earlier than any later job's.</summary>
    public long NewPlace() => Interlocked.Increment(ref places);

    /// <summary>Counts the slots freed so far; a job reads it before it looks at capacity, so no wake is lost.</summary>
    public long Version(PipelineModel target) => LineFor(target).Version;

    public int Waiting(PipelineModel target) => lines.TryGetValue(target, out var line) ? line.Count : 0;

    public IReadOnlyList<(PipelineModel Target, int Waiting)> Lengths() =>
        lines.Select(l => (l.Key, l.Value.Count)).OrderBy(l => l.Key.Pipeline.Name).ThenBy(l => l.Key.ModelId, StringComparer.Ordinal).ToList();

    /// <summary>A slot for this (pipeline, model) freed: wake the job at the head of the line.</summary>
    public void SlotFreed(PipelineModel target) => LineFor(target).WakeHead();

    /// <summary>
    /// Waits for a freed slot. <paramref name="holdsPlace"/>: the job waited before and goes back to its place,
    /// even past the bound. <paramref name="slotFreesIn"/>: when the first cooldown ends, a slot frees by itself.
    /// </summary>
    public async Task<QueueExit> WaitAsync(
        PipelineModel target, long place, bool holdsPlace, long seenVersion, TimeSpan? slotFreesIn, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return QueueExit.Cancelled;
        }

        if (maxWait <= TimeSpan.Zero)
        {
            return QueueExit.Expired;
        }

        var line = LineFor(target);
        var waiter = new Waiter(place);
        if (line.Enter(waiter, seenVersion, holdsPlace ? int.MaxValue : options.CurrentValue.MaxWaiting) is { } early)
        {
            return early;
        }

        if (slotFreesIn is { } freesIn)
        {
            line.WakeAfter(freesIn);
        }

        using var expiry = time.CreateTimer(_ => waiter.Exit.TrySetResult(QueueExit.Expired), null, maxWait, Timeout.InfiniteTimeSpan);
        using var gone = cancellationToken.Register(() => waiter.Exit.TrySetResult(QueueExit.Cancelled));
        var exit = await waiter.Exit.Task.ConfigureAwait(false);
        if (exit != QueueExit.Woken)
        {
            line.Leave(waiter);
        }
        else if (cancellationToken.IsCancellationRequested)
        {
            // Woken and gone at once: the slot belongs to the next job.
            line.WakeHead();
            return QueueExit.Cancelled;
        }

        return exit;
    }

    public void Dispose()
    {
        foreach (var line in lines.Values)
        {
            line.Dispose();
        }
    }

    private Line LineFor(PipelineModel target) => lines.GetOrAdd(target, _ => new Line(time));

    private sealed class Waiter(long place)
    {
        public long Place { get; } = place;

        public TaskCompletionSource<QueueExit> Exit { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Line(TimeProvider time) : IDisposable
    {
        private readonly Lock gate = new();
        private readonly List<Waiter> waiting = [];
        private long version;
        private ITimer? cooldownTimer;
        private DateTimeOffset cooldownEnds;

        public long Version
        {
            get
            {
                lock (gate)
                {
                    return version;
                }
            }
        }

        public int Count
        {
            get
            {
                lock (gate)
                {
                    return waiting.Count;
                }
            }
        }

        public QueueExit? Enter(Waiter waiter, long seenVersion, int bound)
        {
            lock (gate)
            {
                if (version != seenVersion)
                {
                    return QueueExit.Woken;
                }

                if (waiting.Count >= bound)
                {
                    return QueueExit.Full;
                }

                var at = waiting.FindIndex(w => w.Place > waiter.Place);
                waiting.Insert(at < 0 ? waiting.Count : at, waiter);
                return null;
            }
        }

        public void Leave(Waiter waiter)
        {
            lock (gate)
            {
                waiting.Remove(waiter);
            }
        }

        public void WakeHead()
        {
            lock (gate)
            {
                version++;
                while (waiting.Count > 0)
                {
                    var head = waiting[0];
                    waiting.RemoveAt(0);
                    if (head.Exit.TrySetResult(QueueExit.Woken))
                    {
                        return;
                    }
                }
            }
        }

        /// <summary>One timer per line, at the earliest cooldown end any waiter knows of.</summary>
        public void WakeAfter(TimeSpan delay)
        {
            lock (gate)
            {
                var at = time.GetUtcNow() + delay;
                if (cooldownTimer is not null && cooldownEnds > time.GetUtcNow() && cooldownEnds <= at)
                {
                    return;
                }

                cooldownTimer?.Dispose();
                cooldownEnds = at;
                cooldownTimer = time.CreateTimer(_ => WakeHead(), null, delay, Timeout.InfiniteTimeSpan);
            }
        }

        public void Dispose() => cooldownTimer?.Dispose();
    }
}
