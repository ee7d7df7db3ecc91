using System.Text.Json;
using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pipelines.Contracts;
using LivepeerAspire.Tests.Shared;

namespace LivepeerAspire.Protocol.Tests.Pipelines;

/// <summary>The contract every side prices with: units per pipeline, the sides' one difference, limits and the fee.</summary>
public sealed class PipelineContractTests
{
    private static readonly byte[] Png = SyntheticPng.Encode(64, 48, 1);

    private static JobInput Json(string json) => JobInput.FromJson(JsonDocument.Parse(json).RootElement);

    private static JobInput Form(string part, byte[] file, params (string Name, string Value)[] fields) =>
        JobInput.FromForm(fields.ToDictionary(f => f.Name, f => f.Value), new Dictionary<string, byte[]> { [part] = file });

    public static TheoryData<string, Func<JobInput>, long> Cases() => new()
    {
        { "text-to-image", () => Json("""{"prompt":"p"}"""), 512 * 512 },
        { "text-to-image", () => Json("""{"prompt":"p","height":64,"width":96,"num_images_per_prompt":3}"""), 64 * 96 * 3 },
        { "text-to-image", () => Json("""{"prompt":"p","num_images_per_prompt":0}"""), 512 * 512 },
        { "image-to-image", () => Form("image", Png, ("prompt", "p"), ("num_images_per_prompt", "2")), 64 * 48 * 2 },
        { "image-to-video", () => Form("image", Png), 576 * 1024 * 25 },
        { "upscale", () => Form("image", Png, ("prompt", "p")), 64 * 48 },
        { "segment-anything-2", () => Form("image", Png), 64 * 48 },
        { "image-to-text", () => Form("image", Png), 64 * 48 },
        { "llm", () => Json("""{"model":"","messages":[{"role":"user","content":"hi"}],"max_tokens":77}"""), 77 },
        { "text-to-speech", () => Json("""{"text":"héllo"}"""), 6 },
        { "audio-to-text", () => Form("audio", TestAudio.Encode("flac", 3)), 3000 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Units_per_pipeline(string pipeline, Func<JobInput> input, long units) =>
        (await PipelineContract.For(PipelineCatalog.Get(pipeline)).MeasureAsync(input(), "", CancellationToken.None)).Paid.ShouldBe(units);

    [Fact]
    public async Task Only_the_gateway_requires_llm_stream_and_names_every_missing_field()
    {
        var contract = PipelineContract.For(PipelineCatalog.Llm);
        var input = Json("""{"model":"","messages":[{"role":"user","content":"hi"}],"max_tokens":5}""");

        (await contract.MeasureAsync(input, "", CancellationToken.None)).Paid.ShouldBe(5);
        Should.Throw<JobInputException>(() => contract.CheckGatewayFields(input)).Message.ShouldBe("missing required fields: stream");
        Should.Throw<JobInputException>(() => contract.CheckGatewayFields(Json("{}"))).Message.ShouldBe("missing required fields: model, messages, stream, max_tokens");
    }

    [Theory]
    [InlineData("""{"prompt":"p","height":5000}""", "height must be between 1 and 4096 (got 5000)")]
    [InlineData("""{"prompt":"p","width":0}""", "width must be between 1 and 4096 (got 0)")]
    [InlineData("""{"prompt":"p","num_images_per_prompt":17}""", "num_images_per_prompt must be at most 16 (got 17)")]
    [InlineData("""{"prompt":" "}""", "prompt is required: Prompt must be provided.")]
    [InlineData("""{"prompt":"p","height":"tall"}""", "height must be an integer (got \"tall\")")]
    public async Task Limits_are_refused_naming_the_field_and_the_limit(string json, string message) =>
        (await Should.ThrowAsync<JobInputException>(() => PipelineContract.For(PipelineCatalog.TextToImage).MeasureAsync(Json(json), "", CancellationToken.None).AsTask())).Message.ShouldBe(message);

    [Fact]
    public void The_fee_is_units_times_the_price_exactly() =>
        PipelineContract.For(PipelineCatalog.TextToImage).Fee(new JobUnits(300, 300), new PriceInfo { PricePerUnit = 7, PixelsPerUnit = 3 }).Ceiling().ShouldBe(700);

    [Fact]
    public async Task Lightning_models_take_their_steps_from_the_model_id_for_the_latency_score()
    {
        var units = await PipelineContract.For(PipelineCatalog.TextToImage).MeasureAsync(Json("""{"prompt":"p","height":8,"width":8}"""), "ByteDance/SDXL-Lightning_4step", CancellationToken.None);

        units.Work.ShouldBe(64 * 4);
    }
}
