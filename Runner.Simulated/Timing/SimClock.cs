namespace LivepeerAspire.Runner.Simulated.Timing;

/// <summary>
/// Simulated time: every simulated duration is multiplied by <see cref="TimeScale"/> before it is waited on
/// (1 = real time, 0.01 = a 517 s job takes 5.17 s). Scripted fault times are simulated seconds since start.
/// </summary>
public sealed class SimClock
{
    /// <summary>Longest single wall-clock wait, so a crash that starts mid-job is noticed promptly.</summary>
    public static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(50);

    private readonly DateTimeOffset start;

    public SimClock(TimeProvider time, double timeScale)
    {
        Time = time;
        TimeScale = timeScale;
        start = time.GetUtcNow();
    }

    public TimeProvider Time { get; }

    public double TimeScale { get; }

    public DateTimeOffset WallNow => Time.GetUtcNow();

    /// <summary>Simulated time since the fleet started.</summary>
    public TimeSpan SimNow => (Time.GetUtcNow() - start) / TimeScale;

    public TimeSpan ToWall(TimeSpan simulated) => simulated * TimeScale;

    public TimeSpan ToSimulated(TimeSpan wall) => wall / TimeScale;

    /// <summary>Waits until a wall-clock instant in slices, calling <paramref name="check"/> before each slice.</summary>
    public async Task WaitUntilAsync(DateTimeOffset dueWall, Action check, CancellationToken ct)
    {
        while (true)
        {
            check();
            var remaining = dueWall - Time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            // Task.Delay truncates to whole milliseconds (and returns at once for less than one), so round up.
            var wait = remaining < Slice ? TimeSpan.FromMilliseconds(Math.Ceiling(remaining.TotalMilliseconds)) : Slice;
            await Task.Delay(wait, Time, ct).ConfigureAwait(false);
        }
    }
}
