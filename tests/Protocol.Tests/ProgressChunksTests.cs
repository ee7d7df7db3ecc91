using LivepeerAspire.Protocol.Progress;

namespace LivepeerAspire.Protocol.Tests;

public sealed class ProgressChunksTests
{
    [Theory]
    [InlineData(25, 1, 1024L * 576 * 25)]
    [InlineData(10, 3, 4096L)]
    [InlineData(50, 7, 7L)]
    [InlineData(3, 5, 1000L)]
    public void Chunk_units_add_up_to_exactly_the_jobs_units_and_follow_the_steps(int steps, int chunkSteps, long units)
    {
        var chunks = new Chunks(steps, chunkSteps);
        var shares = Enumerable.Range(1, chunks.Count).Select(k => chunks.UnitsOf(k, units)).ToList();

        shares.Sum().ShouldBe(units);
        shares.ShouldAllBe(s => s >= 0);
        chunks.EndStep(chunks.Count).ShouldBe(steps);
        chunks.DeliveredAt(steps).ShouldBe(chunks.Count);
        chunks.UnitsOf(chunks.Count + 1, units).ShouldBe(0);
        for (var k = 1; k <= chunks.Count; k++)
        {
            // Price per step = fee ÷ n: a chunk's share differs from its steps' share by less than one unit.
            var exact = (double)units * (chunks.EndStep(k) - ((k - 1) * chunkSteps)) / steps;
            Math.Abs(shares[k - 1] - exact).ShouldBeLessThan(1.0);
            chunks.EndsChunk(chunks.EndStep(k)).ShouldBeTrue();
        }
    }

    [Fact]
    public void Events_are_cut_however_the_bytes_are_split()
    {
        var wire = SseEventReader.Format("progress", "{\"step\":1}").Concat(SseEventReader.Format("result", "{\"a\":\n1}")).ToArray();
        var reader = new SseEventReader();
        var events = new List<SseEvent>();
        foreach (var b in wire)
        {
            events.AddRange(reader.Feed([b]));
        }

        events.ShouldBe([new SseEvent("progress", "{\"step\":1}"), new SseEvent("result", "{\"a\":\n1}")]);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("1000", true)]
    [InlineData("0", false)]
    [InlineData("-1", false)]
    [InlineData("1001", false)]
    [InlineData("x", false)]
    public void Chunk_sizes_are_checked(string value, bool ok) =>
        (ProgressHeaders.ParseChunkSteps(value, out _) is not null).ShouldBe(ok);
}
