namespace LivepeerAspire.Orchestrator.Jobs;

/// <summary>Job counters for /status.</summary>
public sealed class JobStats
{
    private long _served;
    private long _failed;
    private long _rejectedForCapacity;

    public long Served => Interlocked.Read(ref _served);
    public long Failed => Interlocked.Read(ref _failed);
    public long RejectedForCapacity => Interlocked.Read(ref _rejectedForCapacity);

    public void CountServed() => Interlocked.Increment(ref _served);

    public void CountFailed() => Interlocked.Increment(ref _failed);

    public void CountCapacityRejection() => Interlocked.Increment(ref _rejectedForCapacity);
}
