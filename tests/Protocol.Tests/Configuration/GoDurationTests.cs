using LivepeerAspire.Protocol.Configuration;

namespace LivepeerAspire.Protocol.Tests.Configuration;

/// <summary>The one duration parser: Go's time.ParseDuration syntax beside .NET's hh:mm:ss.</summary>
public sealed class GoDurationTests
{
    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("5s", 5)]
    [InlineData("1m30s", 90)]
    [InlineData("1h30m", 5400)]
    [InlineData("1.5h", 5400)]
    [InlineData("-2s", -2)]
    [InlineData("300us", 0.0003)]
    [InlineData("0", 0)]
    [InlineData("00:00:05", 5)]
    [InlineData(" 2m ", 120)]
    public void Reads_go_durations_and_time_spans(string text, double seconds)
    {
        GoDuration.TryParse(text, out var duration).ShouldBeTrue(text);
        duration.TotalSeconds.ShouldBe(seconds, 1e-9);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5d")]
    [InlineData("m5")]
    [InlineData("1.2.3s")]
    [InlineData("--5s")]
    public void Refuses_what_go_refuses(string text) => GoDuration.TryParse(text, out _).ShouldBeFalse(text);

    [Theory]
    [InlineData(90, "1m30s")]
    [InlineData(0.5, "500ms")]
    [InlineData(5400, "1h30m0s")]
    public void Formats_like_go(double seconds, string text) => GoDuration.Format(TimeSpan.FromSeconds(seconds)).ShouldBe(text);
}
