using System.Text.Json;
using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Protocol.Tests.Pricing;

public sealed class PipelineUnitsTests
{
    [Theory]
    [InlineData("{}", 512L * 512)]
    [InlineData("""{"height":1024,"width":768}""", 1024L * 768)]
    [InlineData("""{"height":1024,"width":768,"num_images_per_prompt":3}""", 1024L * 768 * 3)]
    [InlineData("""{"num_images_per_prompt":0}""", 512L * 512)]
    [InlineData("""{"height":null,"width":64}""", 512L * 64)]
    public void Text_to_image_is_height_times_width_times_images(string body, long units) =>
        PipelineUnits.FromJsonBody(PipelineCatalog.TextToImage, JsonDocument.Parse(body).RootElement).ShouldBe(units);

    [Theory]
    [InlineData("""{"height":-1}""", "height must be a positive integer")]
    [InlineData("""{"width":"512"}""", "width must be an integer")]
    [InlineData("""[]""", "must be a JSON object")]
    public void Text_to_image_bad_dimensions_are_refused(string body, string message) =>
        Should.Throw<UnitsException>(() => PipelineUnits.FromJsonBody(PipelineCatalog.TextToImage, JsonDocument.Parse(body).RootElement)).Message.ShouldContain(message);

    [Fact]
    public void Llm_is_max_tokens_and_requires_it()
    {
        PipelineUnits.FromJsonBody(PipelineCatalog.Llm, JsonDocument.Parse("""{"max_tokens":256}""").RootElement).ShouldBe(256);
        Should.Throw<UnitsException>(() => PipelineUnits.FromJsonBody(PipelineCatalog.Llm, JsonDocument.Parse("{}").RootElement)).Message.ShouldBe("MaxTokens not specified");
        Should.Throw<UnitsException>(() => PipelineUnits.Llm(0));
    }

    [Fact]
    public void Text_to_speech_is_utf8_bytes_on_both_sides()
    {
        PipelineUnits.FromJsonBody(PipelineCatalog.TextToSpeech, JsonDocument.Parse("""{"text":"hello"}""").RootElement).ShouldBe(5);
        PipelineUnits.TextToSpeech("héllo €").ShouldBe(1 + 2 + 3 + 1 + 3); // h é llo space € → 1+2+3+1+3
        Should.Throw<UnitsException>(() => PipelineUnits.TextToSpeech(""));
    }

    [Fact]
    public void Image_to_video_is_25_frames_of_the_output_size()
    {
        PipelineUnits.ImageToVideo(null, null).ShouldBe(576L * 1024 * 25);
        PipelineUnits.ImageToVideo(512, 512).ShouldBe(512L * 512 * 25);
    }

    [Fact]
    public void Image_inputs_are_priced_by_their_header_dimensions()
    {
        // A 640×480 PNG header (signature, IHDR length, "IHDR", width, height).
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 2, 128, 0, 0, 1, 224, 8, 6, 0, 0, 0];
        ImageHeader.TryRead(png, out var header).ShouldBeTrue();
        PipelineUnits.InputImage(header).ShouldBe(640L * 480);
        PipelineUnits.ImageToImage(header, 2).ShouldBe(640L * 480 * 2);
        PipelineUnits.ImageToImage(header, null).ShouldBe(640L * 480);
    }

    [Theory]
    [InlineData(12.9, 12_000)]
    [InlineData(1.0, 1_000)]
    [InlineData(0.5, 0)]
    public void Audio_is_whole_seconds_times_1000(double seconds, long units) => PipelineUnits.AudioToText(seconds).ShouldBe(units);

    [Theory]
    [InlineData(0.0)]
    [InlineData(-3.0)]
    [InlineData(double.NaN)]
    public void Audio_without_a_positive_duration_is_refused(double seconds) =>
        Should.Throw<UnitsException>(() => PipelineUnits.AudioToText(seconds)).Message.ShouldBe("Unable to calculate duration");
}
