namespace LivepeerAspire.LoadTests.Running;

/// <summary>Counters the live display reads; updated lock-free by the runner.</summary>
public sealed class RunProgress
{
    private int sent;
    private int completed;
    private int failed;

    public int Planned { get; set; }

    public TimeSpan PlannedDuration { get; set; }

    public int Sent => Volatile.Read(ref sent);

    public int Completed => Volatile.Read(ref completed);

    public int Failed => Volatile.Read(ref failed);

    public int InFlight => Sent - Completed;

    public void OnSent() => Interlocked.Increment(ref sent);

    public void OnCompleted(RequestRecord record)
    {
        if (!record.IsOk)
        {
            Interlocked.Increment(ref failed);
        }

        Interlocked.Increment(ref completed);
    }
}
