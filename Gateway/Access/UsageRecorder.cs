using LivepeerAspire.Gateway.Access.Storage;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Access;

/// <summary>
/// Writes usage rows off the request path, in batches. While the database does not answer, rows wait in memory
/// and are written once it does; when <see cref="AccessOptions.UsageQueueCapacity"/> rows are waiting, new jobs are
/// refused with 503 (jobs already running still add theirs, so nothing paid goes unrecorded). A clean shutdown
/// writes every waiting row.
/// </summary>
public sealed class UsageRecorder(IAccessStore store, IOptions<AccessOptions> options, TimeProvider time, ILogger<UsageRecorder> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly Queue<UsageRecord> pending = new();
    private readonly SemaphoreSlim flushLock = new(1, 1);
    private readonly SemaphoreSlim wake = new(0);
    private string? lastError;

    public int Pending
    {
        get
        {
            lock (pending)
            {
                return pending.Count;
            }
        }
    }

    /// <summary>False while the queue is full: the reason new jobs are refused.</summary>
    public bool Accepting => Pending < options.Value.UsageQueueCapacity;

    public string? LastError => Volatile.Read(ref lastError);

    public void Enqueue(UsageRecord row)
    {
        int count;
        lock (pending)
        {
            pending.Enqueue(row);
            count = pending.Count;
        }

        if (count >= options.Value.UsageBatchSize)
        {
            wake.Release();
        }
    }

    /// <summary>Writes every waiting row now; throws what the database threw (the rows stay queued).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await flushLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                List<UsageRecord> batch;
                lock (pending)
                {
                    batch = pending.Take(options.Value.UsageBatchSize).ToList();
                }

                if (batch.Count == 0)
                {
                    return;
                }

                await store.InsertUsageAsync(batch, cancellationToken).ConfigureAwait(false);
                lock (pending)
                {
                    for (var i = 0; i < batch.Count; i++)
                    {
                        pending.Dequeue();
                    }
                }

                if (Interlocked.Exchange(ref lastError, null) is not null)
                {
                    logger.LogInformation("usage database answers again; {Count} waiting usage rows written", batch.Count);
                }
            }
        }
        finally
        {
            flushLock.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.UsageFlushInterval;
        var wait = interval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.WhenAny(Task.Delay(wait, time, stoppingToken), wake.WaitAsync(stoppingToken)).ConfigureAwait(false);
                if (stoppingToken.IsCancellationRequested)
                {
                    return;
                }

                await FlushAsync(stoppingToken).ConfigureAwait(false);
                wait = interval;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (Interlocked.Exchange(ref lastError, e.Message) is null)
                {
                    logger.LogWarning("usage rows cannot be written, {Count} waiting (new jobs are refused with 503 at {Capacity}): {Error}", Pending, options.Value.UsageQueueCapacity, e.Message);
                }

                wait = wait * 2 > MaxBackoff ? MaxBackoff : wait * 2;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError("{Count} usage rows could not be written at shutdown: {Error}", Pending, e.Message);
        }
    }
}
