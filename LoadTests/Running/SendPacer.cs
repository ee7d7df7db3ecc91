namespace LivepeerAspire.LoadTests.Running;

/// <summary>
/// Waits until an intended send time and never returns before it. <see cref="Task.Delay(TimeSpan)"/> alone can
/// return up to about 2 ms early (it truncates to whole milliseconds and its timer ticks in milliseconds), and a
/// request sent before its intended time would end "before it was due" — a negative latency. So the pacer sleeps
/// to within a margin of the due time and yields for the rest.
/// </summary>
public static class SendPacer
{
    /// <summary>Sleep only while more than this is left; the remainder is spent yielding the CPU.</summary>
    private static readonly TimeSpan SleepMargin = TimeSpan.FromMilliseconds(2);

    public static async Task WaitUntilAsync(TimeProvider time, long start, TimeSpan due, CancellationToken cancel)
    {
        while (true)
        {
            var remaining = due - time.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            cancel.ThrowIfCancellationRequested();
            if (remaining > SleepMargin)
            {
                await Task.Delay(remaining - SleepMargin, time, cancel);
            }
            else
            {
                Thread.Yield();
            }
        }
    }
}
