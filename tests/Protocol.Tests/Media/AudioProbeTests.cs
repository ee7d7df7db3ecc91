using System.Buffers.Binary;
using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Tests.Shared;

namespace LivepeerAspire.Protocol.Tests.Media;

/// <summary>Audio duration from files made by a real encoder, and the files it must refuse.</summary>
public sealed class AudioProbeTests
{
    [Theory]
    [InlineData("wav")]
    [InlineData("mp3")]
    [InlineData("flac")]
    [InlineData("ogg")]
    [InlineData("m4a")]
    public async Task Measures_each_format_within_one_percent(string extension)
    {
        var info = await AudioProbe.ReadAsync("audio", TestAudio.Encode(extension, 7), CancellationToken.None);

        info.Seconds.ShouldBe(7, 7 * 0.01);
    }

    [Fact]
    public async Task An_empty_file_is_refused_naming_the_part()
    {
        var e = await Should.ThrowAsync<MediaException>(() => AudioProbe.ReadAsync("audio", Array.Empty<byte>(), CancellationToken.None));

        e.Message.ShouldBe("audio: the file is empty");
    }

    [Fact]
    public async Task Bytes_that_are_no_audio_are_refused()
    {
        var e = await Should.ThrowAsync<MediaException>(() => AudioProbe.ReadAsync("audio", "this is not audio at all, just text"u8.ToArray(), CancellationToken.None));

        e.Part.ShouldBe("audio");
    }

    [Fact]
    public async Task A_png_sent_as_audio_is_refused()
    {
        var e = await Should.ThrowAsync<MediaException>(() => AudioProbe.ReadAsync("audio", SyntheticPng.Encode(64, 64, 1), CancellationToken.None));

        e.Part.ShouldBe("audio");
    }

    [Theory]
    [InlineData("m4a")]
    [InlineData("flac")]
    [InlineData("wav")]
    public async Task A_truncated_file_is_refused_not_billed_for_what_it_lost(string extension)
    {
        var whole = TestAudio.Encode(extension, 7);

        var e = await Should.ThrowAsync<MediaException>(() => AudioProbe.ReadAsync("audio", whole[..(whole.Length / 3)], CancellationToken.None));

        e.Part.ShouldBe("audio");
    }

    [Fact]
    public async Task A_wav_whose_header_claims_an_hour_but_holds_seconds_is_refused()
    {
        var wav = TestAudio.Encode("wav", 2);
        var data = IndexOf(wav, "data"u8);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(data + 4), 16000 * 2 * 3600);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(4), 16000 * 2 * 3600 + data);

        var e = await Should.ThrowAsync<MediaException>(() => AudioProbe.ReadAsync("audio", wav, CancellationToken.None));

        e.Message.ShouldContain("declares 115200000 bytes of samples but the file holds 64000");
    }

    [Fact]
    public async Task A_wav_with_a_lying_byte_rate_is_measured_by_its_samples()
    {
        var wav = TestAudio.Encode("wav", 4);
        var fmt = IndexOf(wav, "fmt "u8);
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(fmt + 16), 1000);

        var info = await AudioProbe.ReadAsync("audio", wav, CancellationToken.None);

        info.Seconds.ShouldBe(4, 0.04);
    }

    private static int IndexOf(byte[] data, ReadOnlySpan<byte> tag) => data.AsSpan().IndexOf(tag);
}
