namespace LivepeerAspire.Runner.Simulated.Tests.Support;

/// <summary>
/// A clock that jumps: a timer with a finite due time moves the clock forward by that amount and fires at
/// once. Sequential simulated work then takes no wall time, and the elapsed virtual time is exactly what the
/// simulator waited. <see cref="Advance"/> moves the clock by hand (keep-alive expiry, scripted faults).
/// Meant for one request at a time.
/// </summary>
internal sealed class VirtualTimeProvider : TimeProvider
{
    private readonly Lock gate = new();
    private DateTimeOffset now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
        {
            return now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by)
    {
        lock (gate)
        {
            now += by;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new JumpTimer(this, callback, state, dueTime);

    private sealed class JumpTimer : ITimer
    {
        private readonly VirtualTimeProvider clock;
        private readonly TimerCallback callback;
        private readonly object? state;
        private int disposed;

        public JumpTimer(VirtualTimeProvider clock, TimerCallback callback, object? state, TimeSpan dueTime)
        {
            this.clock = clock;
            this.callback = callback;
            this.state = state;
            Schedule(dueTime);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Schedule(dueTime);
            return true;
        }

        public void Dispose() => Interlocked.Exchange(ref disposed, 1);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private void Schedule(TimeSpan dueTime)
        {
            if (dueTime == Timeout.InfiniteTimeSpan || dueTime < TimeSpan.Zero)
            {
                return;
            }

            clock.Advance(dueTime);
            ThreadPool.QueueUserWorkItem(_ =>
            {
                if (Volatile.Read(ref disposed) == 0)
                {
                    callback(state);
                }
            });
        }
    }
}
