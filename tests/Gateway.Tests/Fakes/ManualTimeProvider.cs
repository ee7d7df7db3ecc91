namespace LivepeerAspire.Gateway.Tests.Fakes;

/// <summary>A clock that only moves when told (Microsoft.Extensions.TimeProvider.Testing is not on the feed).</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset now = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
    private long ticks;

    public override DateTimeOffset GetUtcNow() => now;

    public override long GetTimestamp() => ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by)
    {
        now += by;
        ticks += by.Ticks;
    }
}
