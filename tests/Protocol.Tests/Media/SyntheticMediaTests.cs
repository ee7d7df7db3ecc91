using System.Buffers.Binary;
using System.IO.Compression;
using LivepeerAspire.Protocol.Media;

namespace LivepeerAspire.Protocol.Tests.Media;

/// <summary>The PNG and WAV writers the simulator answers with and the load tests and network tests upload.</summary>
public sealed class SyntheticMediaTests
{
    [Theory]
    [InlineData(7, 5)]
    [InlineData(130, 70)]
    public void Png_has_the_asked_size_and_inflates_to_exactly_its_scanlines(int width, int height)
    {
        var png = SyntheticPng.Encode(width, height, seed: 3);

        ImageHeader.TryRead(png, out var header).ShouldBeTrue();
        header.ShouldBe(new ImageHeader(ImageFormat.Png, width, height));
        png[^12..].ShouldBe(new byte[] { 0, 0, 0, 0, (byte)'I', (byte)'E', (byte)'N', (byte)'D', 0xAE, 0x42, 0x60, 0x82 });
        var idatLength = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(33));
        System.Text.Encoding.ASCII.GetString(png, 37, 4).ShouldBe("IDAT");
        using var zlib = new ZLibStream(new MemoryStream(png, 41, idatLength), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        zlib.CopyTo(raw);
        raw.Length.ShouldBe(height * (1 + 3 * width));
    }

    [Fact]
    public void Different_seeds_give_different_pictures()
    {
        SyntheticPng.Encode(16, 16, seed: 1).ShouldNotBe(SyntheticPng.Encode(16, 16, seed: 2));
    }

    [Fact]
    public async Task Wav_duration_reads_back_what_was_written()
    {
        var wav = SyntheticWav.Tone(1.5);

        System.Text.Encoding.ASCII.GetString(wav, 0, 4).ShouldBe("RIFF");
        BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(4)).ShouldBe(wav.Length - 8);
        (await AudioProbe.ReadAsync("audio", wav, CancellationToken.None)).Seconds.ShouldBe(1.5, tolerance: 0.001);
    }
}
