using System.Net;
using System.Text.Json;
using LivepeerAspire.Network.Tests.Support;
using LivepeerAspire.Protocol.Media;
using static LivepeerAspire.Network.Tests.Support.GatewayResponses;
using LivepeerAspire.Tests.Shared;

namespace LivepeerAspire.Network.Tests.Pipelines;

/// <summary>Every batch pipeline once, end to end through gateway, orchestrator and simulated runner.</summary>
[Collection(PipelinesNetwork.Name)]
public sealed class MediaPipelineTests(PipelinesNetworkFixture network)
{
    private static readonly byte[] InputImage = SyntheticPng.Encode(64, 48, seed: 3);

    [Fact]
    public async Task Text_to_image_returns_decodable_images_of_the_requested_size()
    {
        using var client = network.CreateClient();
        using var response = await client.PostAsync("/text-to-image", Json(
            """{"model_id":"SG161222/RealVisXL_V4.0_Lightning","prompt":"a red bicycle","width":96,"height":64,"num_images_per_prompt":2,"seed":5}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var images = (await response.JsonAsync()).GetProperty("images").EnumerateArray().ToList();
        images.Count.ShouldBe(2);
        images.Select(i => i.GetProperty("seed").GetInt64()).ShouldBe([5L, 6L]);
        foreach (var image in images)
        {
            DecodedPng.FromDataUrl(image.GetProperty("url").GetString()!).ShouldBe(new DecodedPng(96, 64));
            image.GetProperty("nsfw").GetBoolean().ShouldBeFalse();
        }
    }

    [Fact]
    public async Task Image_to_video_returns_decodable_frames_as_images()
    {
        using var client = network.CreateClient();
        using var response = await client.PostAsync("/image-to-video", Multipart(InputImage, "image", "start.png",
            ("model_id", ""), ("width", "64"), ("height", "48")));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var frames = (await response.JsonAsync()).GetProperty("images").EnumerateArray().ToList();
        frames.Count.ShouldBe(25);
        DecodedPng.FromDataUrl(frames[0].GetProperty("url").GetString()!).ShouldBe(new DecodedPng(64, 48));
        DecodedPng.FromDataUrl(frames[^1].GetProperty("url").GetString()!).ShouldBe(new DecodedPng(64, 48));
        network.OrchestratorName(response.Orchestrator()).ShouldBe("o1");
    }

    [Fact]
    public async Task Image_to_image_returns_one_decodable_image_per_prompt_at_the_input_size()
    {
        using var client = network.CreateClient();
        using var response = await client.PostAsync("/image-to-image", Multipart(InputImage, "image", "in.png", ("prompt", "make it blue"), ("num_images_per_prompt", "2")));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var images = (await response.JsonAsync()).GetProperty("images").EnumerateArray().ToList();
        images.Count.ShouldBe(2);
        foreach (var image in images)
        {
            DecodedPng.FromDataUrl(image.GetProperty("url").GetString()!).ShouldBe(new DecodedPng(64, 48));
        }
    }

    [Fact]
    public async Task Upscale_returns_a_larger_decodable_image()
    {
        using var client = network.CreateClient();
        using var response = await client.PostAsync("/upscale", Multipart(InputImage, "image", "small.png", ("prompt", "sharpen")));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var png = DecodedPng.FromDataUrl((await response.JsonAsync()).GetProperty("images")[0].GetProperty("url").GetString()!);
        (png.Width * png.Height).ShouldBeGreaterThan(64 * 48);
    }

    [Fact]
    public async Task Audio_to_text_returns_text_with_chunks()
    {
        using var client = network.CreateClient();
        using var response = await client.PostAsync("/audio-to-text", Multipart(SyntheticWav.Tone(3), "audio", "speech.wav"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.JsonAsync();
        body.GetProperty("text").GetString().ShouldNotBeNullOrWhiteSpace();
        body.GetProperty("chunks").GetArrayLength().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Segment_anything_2_returns_masks_scores_and_logits()
    {
        using var client = network.CreateClient();
        using var response = await client.PostAsync("/segment-anything-2", Multipart(InputImage, "image", "scene.png", ("point_coords", "[[10,10]]"), ("point_labels", "[1]")));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.JsonAsync();

        // The runner sends Python str() of nested lists, which reads as JSON: 3 masks (multimask_output defaults to
        // true), best score first, masks of 0/1 and logits of the same shape.
        var scores = JsonDocument.Parse(body.GetProperty("scores").GetString()!).RootElement.EnumerateArray().Select(s => s.GetDouble()).ToList();
        scores.Count.ShouldBe(3);
        scores.ShouldBeInOrder(SortDirection.Descending);
        scores.ShouldAllBe(s => s > 0 && s <= 1);
        var masks = JsonDocument.Parse(body.GetProperty("masks").GetString()!).RootElement;
        var logits = JsonDocument.Parse(body.GetProperty("logits").GetString()!).RootElement;
        masks.GetArrayLength().ShouldBe(3);
        logits.GetArrayLength().ShouldBe(3);
        foreach (var (mask, logit) in masks.EnumerateArray().Zip(logits.EnumerateArray()))
        {
            mask.GetArrayLength().ShouldBe(logit.GetArrayLength());
            mask.EnumerateArray().SelectMany(row => row.EnumerateArray()).ShouldAllBe(v => v.GetDouble() == 0 || v.GetDouble() == 1);
        }
    }

    [Fact]
    public async Task Image_to_text_returns_a_caption()
    {
        using var client = network.CreateClient();
        using var response = await client.PostAsync("/image-to-text", Multipart(InputImage, "image", "photo.png", ("prompt", "")));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.JsonAsync()).GetProperty("text").GetString().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Text_to_speech_returns_a_wav_data_url()
    {
        using var client = network.CreateClient();
        using var response = await client.PostAsync("/text-to-speech", Json("""{"model_id":"","text":"Hello from the testbed."}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var url = (await response.JsonAsync()).GetProperty("audio").GetProperty("url").GetString()!;
        url.ShouldStartWith("data:audio/wav;base64,");
        (await AudioProbe.ReadAsync("audio", Convert.FromBase64String(url["data:audio/wav;base64,".Length..]), CancellationToken.None)).Seconds.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Livepeer_ai_sdk_works_unmodified_against_the_gateway()
    {
        var result = await NodeScript.RunAsync("livepeer-sdk-client.mjs", network.GatewayUrl);

        result.GetProperty("textToImage").GetProperty("ok").GetBoolean().ShouldBeTrue(result.GetProperty("textToImage").ToString());
        result.GetProperty("textToImage").GetProperty("count").GetInt32().ShouldBe(1);
        result.GetProperty("textToImage").GetProperty("url").GetString().ShouldStartWith("data:image/png;base64,");
        result.GetProperty("llm").GetProperty("ok").GetBoolean().ShouldBeTrue(result.GetProperty("llm").ToString());
        result.GetProperty("llm").GetProperty("content").GetString().ShouldNotBeNullOrWhiteSpace();
        result.GetProperty("imageToVideo").GetProperty("ok").GetBoolean().ShouldBeTrue(result.GetProperty("imageToVideo").ToString());
        result.GetProperty("imageToVideo").GetProperty("count").GetInt32().ShouldBe(25);
        var bad = result.GetProperty("badLlm");
        bad.GetProperty("ok").GetBoolean().ShouldBeFalse();
        bad.GetProperty("errorType").GetString().ShouldBe(result.GetProperty("httpErrorTypeName").GetString(), "a typed HTTPError, not a generic SDK error");
        bad.GetProperty("message").GetString()!.ShouldContain("missing required fields");
    }
}
