using LivepeerAspire.Runner.Simulated.Fleet;
using LivepeerAspire.Runner.Simulated.Gpus;
using LivepeerAspire.Protocol.Media;

namespace LivepeerAspire.Runner.Simulated.Tests.Timing;

public class UnitTests
{
    [Theory]
    [InlineData("5m", 300)]
    [InlineData("1h30m", 5400)]
    [InlineData("300ms", 0.3)]
    [InlineData("90", 90)]
    [InlineData("0", 0)]
    [InlineData("2.5s", 2.5)]
    public void Keep_alive_durations_parse_like_go(string text, double seconds)
    {
        KeepAlive.TryParse(text, out var duration, out _).ShouldBeTrue();
        duration.TotalSeconds.ShouldBe(seconds, 1e-9);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("-5m")]
    public void Negative_keep_alive_means_forever(string text)
    {
        KeepAlive.TryParse(text, out var duration, out _).ShouldBeTrue();
        duration.ShouldBe(KeepAlive.Forever);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5 minutes")]
    [InlineData("m5")]
    [InlineData("5d")]
    public void Bad_keep_alive_text_is_refused_with_a_reason(string text)
    {
        KeepAlive.TryParse(text, out _, out var error).ShouldBeFalse();
        error.ShouldContain("duration");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    [InlineData(0.3)]
    public void Noise_has_mean_one_the_requested_spread_and_stays_inside_its_bound(double cv)
    {
        var random = new Random(3);
        var samples = Enumerable.Range(0, 20_000).Select(_ => Noise.Multiplier(random, cv)).ToList();
        var (low, high) = Noise.Bounds(cv);
        var mean = samples.Average();
        var sd = Math.Sqrt(samples.Sum(s => (s - mean) * (s - mean)) / samples.Count);

        samples.ShouldAllBe(s => s >= low && s <= high);
        mean.ShouldBe(1, 0.01);
        sd.ShouldBe(cv, 0.01 + cv * 0.1);
    }

    [Fact]
    public void Stream_seeds_are_stable_and_differ_per_gpu_and_stream()
    {
        Noise.StreamSeed(42, "a", "noise").ShouldBe(Noise.StreamSeed(42, "a", "noise"));
        Noise.StreamSeed(42, "a", "noise").ShouldNotBe(Noise.StreamSeed(42, "b", "noise"));
        Noise.StreamSeed(42, "a", "noise").ShouldNotBe(Noise.StreamSeed(42, "a", "faults"));
        Noise.StreamSeed(42, "a", "noise").ShouldNotBe(Noise.StreamSeed(43, "a", "noise"));
    }

    [Fact]
    public void A_video_frame_png_stays_small()
    {
        SyntheticPng.Encode(1024, 576, 99, 3).Length.ShouldBeLessThan(32 * 1024);
    }

    [Fact]
    public async Task Wav_duration_round_trips()
    {
        (await AudioProbe.ReadAsync("audio", SyntheticWav.Tone(2.5), CancellationToken.None)).Seconds.ShouldBe(2.5, 1e-3);
    }
}
