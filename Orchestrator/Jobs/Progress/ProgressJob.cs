using System.Collections.Concurrent;
using LivepeerAspire.Orchestrator.Models;
using LivepeerAspire.Orchestrator.Payments;
using LivepeerAspire.Protocol.Progress;

namespace LivepeerAspire.Orchestrator.Jobs.Progress;

/// <summary>
/// One interactive job's accounting (docs/orchestrator.md § Pay per progress): chunks paid, chunks delivered, and each
/// chunk's accepted payment, which is debited once, when its chunk is delivered. Thread-safe: payments arrive on other
/// requests while the relay meters the runner's events.
/// </summary>
internal sealed class ProgressJob(string id, int chunkSteps, ServedModel model, long units)
{
    private readonly Lock gate = new();
    private readonly Dictionary<int, (PaymentContext Context, PaymentDecision Decision)> payments = [];
    private TaskCompletionSource paid = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int paying;

    public string Id { get; } = id;

    public int ChunkSteps { get; } = chunkSteps;

    public ServedModel Model { get; } = model;

    public long Units { get; } = units;

    public Chunks? Chunks { get; private set; }

    public int Paid { get; private set; }

    public int Delivered { get; private set; }

    public bool Ended { get; private set; }

    /// <summary>Step 0: the runner told the job's total steps.</summary>
    public void Start(int totalSteps)
    {
        lock (gate)
        {
            Chunks ??= new Chunks(totalSteps, ChunkSteps);
        }
    }

    /// <summary>Reserves chunk <paramref name="chunk"/> for a payment being checked; the reason when it may not be paid now.</summary>
    public string? TryReserve(int chunk)
    {
        lock (gate)
        {
            if (Ended)
            {
                return $"progress job '{Id}' has ended after {Delivered} delivered chunks; chunk {chunk} will not be delivered";
            }

            if (Chunks is not { } chunks)
            {
                return $"progress job '{Id}' has not started (no step 0 yet); chunk {chunk} is not reached";
            }

            if (paying != 0 || chunk != Paid + 1)
            {
                return $"chunk {chunk} is not the next to pay for job '{Id}' (paid {Paid}{(paying != 0 ? $", chunk {paying} being paid" : "")})";
            }

            if (chunk > chunks.Count)
            {
                return $"chunk {chunk} does not exist: job '{Id}' has {chunks.Count} chunks";
            }

            if (chunk > Delivered + 1)
            {
                return $"chunk {chunk} is not reached: job '{Id}' has delivered {Delivered} chunks";
            }

            paying = chunk;
            return null;
        }
    }

    public void Release(int chunk)
    {
        lock (gate)
        {
            if (paying == chunk)
            {
                paying = 0;
            }
        }
    }

    public void Accept(int chunk, PaymentContext context, PaymentDecision decision)
    {
        TaskCompletionSource wake;
        lock (gate)
        {
            payments[chunk] = (context, decision);
            Paid = chunk;
            paying = 0;
            wake = paid;
            paid = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        wake.TrySetResult();
    }

    /// <summary>Waits until chunk <paramref name="chunk"/> is paid, at most <paramref name="grace"/>.</summary>
    public async Task<bool> WaitPaidAsync(int chunk, TimeSpan grace, TimeProvider time, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            Task wait;
            lock (gate)
            {
                if (Paid >= chunk)
                {
                    return true;
                }

                wait = paid.Task;
            }

            var left = grace - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await wait.WaitAsync(left, time, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return Paid >= chunk;
            }
        }
    }

    /// <summary>Chunk delivered and paid: its payment, to debit once.</summary>
    public (PaymentContext Context, PaymentDecision Decision)? Deliver(int chunk)
    {
        lock (gate)
        {
            if (chunk <= Delivered)
            {
                return null;
            }

            Delivered = chunk;
            return payments.Remove(chunk, out var payment) ? payment : null;
        }
    }

    public void End()
    {
        lock (gate)
        {
            Ended = true;
        }
    }
}

/// <summary>The running interactive jobs by <c>Livepeer-Job</c> id.</summary>
public sealed class ProgressJobs
{
    private readonly ConcurrentDictionary<string, ProgressJob> running = new(StringComparer.Ordinal);

    internal bool TryAdd(ProgressJob job) => running.TryAdd(job.Id, job);

    internal ProgressJob? Get(string id) => running.GetValueOrDefault(id);

    internal void Remove(ProgressJob job)
    {
        job.End();
        running.TryRemove(new KeyValuePair<string, ProgressJob>(job.Id, job));
    }

    public int Count => running.Count;
}
