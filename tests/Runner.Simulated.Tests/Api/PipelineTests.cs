using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Runner.Simulated.Media;
using LivepeerAspire.Runner.Simulated.Tests.Support;
using static LivepeerAspire.Runner.Simulated.Tests.Support.Requests;

namespace LivepeerAspire.Runner.Simulated.Tests.Api;

/// <summary>Every batch pipeline answers in the ai-runner's shape; images are decodable PNGs of the asked size.</summary>
public class PipelineTests
{
    public static TheoryData<string, string> Pipelines => new()
    {
        { "text-to-image", "images" },
        { "image-to-image", "images" },
        { "image-to-video", "frames" },
        { "upscale", "images" },
        { "audio-to-text", "text" },
        { "segment-anything-2", "masks" },
        { "llm", "choices" },
        { "image-to-text", "text" },
        { "text-to-speech", "audio" },
    };

    [Theory]
    [MemberData(nameof(Pipelines))]
    public async Task Each_pipeline_answers_with_the_runner_response_shape(string pipeline, string member)
    {
        await using var host = SimulatorHost.Single(new() { ["profile"] = "A100 80GB", ["pipeline"] = pipeline }, new VirtualTimeProvider());

        using var response = await host.Client.PostAsync($"/gpus/g/{pipeline}", Body(pipeline));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        body.TryGetProperty(member, out _).ShouldBeTrue();
        (await host.StatusAsync()).JobsServed.ShouldBe(1);
    }

    [Fact]
    public async Task Text_to_image_returns_real_pngs_of_the_requested_size_with_consecutive_seeds()
    {
        await using var host = SimulatorHost.Single(new() { ["profile"] = "RTX 4090", ["pipeline"] = "text-to-image" }, new VirtualTimeProvider());

        using var response = await host.Client.PostAsync("/gpus/g/text-to-image",
            Json(new { prompt = "a red fox", width = 320, height = 200, seed = 1234, num_images_per_prompt = 3 }));
        var images = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("images").EnumerateArray().ToList();

        images.Count.ShouldBe(3);
        images.Select(i => i.GetProperty("seed").GetInt64()).ShouldBe([1234L, 1235L, 1236L]);
        foreach (var image in images)
        {
            image.GetProperty("nsfw").GetBoolean().ShouldBeFalse();
            var png = DecodeDataUrl(image.GetProperty("url").GetString()!, "image/png");
            PngCheck.Verify(png).ShouldBe((320, 200));
        }
    }

    [Fact]
    public async Task Image_to_video_returns_one_batch_of_25_frames_of_the_requested_size()
    {
        await using var host = SimulatorHost.Single(new() { ["profile"] = "RTX 4090", ["pipeline"] = "image-to-video" }, new VirtualTimeProvider());

        using var response = await host.Client.PostAsync("/gpus/g/image-to-video", Form(SmallPng(), ("width", "256"), ("height", "144"), ("seed", "5")));
        var batches = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("frames");

        batches.GetArrayLength().ShouldBe(1);
        var frames = batches[0].EnumerateArray().ToList();
        frames.Count.ShouldBe(25);
        frames.ShouldAllBe(f => f.GetProperty("seed").GetInt64() == 5);
        PngCheck.Verify(DecodeDataUrl(frames[24].GetProperty("url").GetString()!, "image/png")).ShouldBe((256, 144));
    }

    [Fact]
    public async Task Upscale_makes_the_image_four_times_larger_and_text_to_speech_returns_a_wav()
    {
        await using var upscale = SimulatorHost.Single(new() { ["profile"] = "RTX 4090", ["pipeline"] = "upscale" }, new VirtualTimeProvider());
        using var up = await upscale.Client.PostAsync("/gpus/g/upscale", Form(SmallPng(40, 24), ("prompt", "sharp")));
        var url = (await up.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("images")[0].GetProperty("url").GetString()!;
        PngCheck.Verify(DecodeDataUrl(url, "image/png")).ShouldBe((160, 96));

        await using var tts = SimulatorHost.Single(new() { ["profile"] = "RTX 4090", ["pipeline"] = "text-to-speech" }, new VirtualTimeProvider());
        using var speech = await tts.Client.PostAsync("/gpus/g/text-to-speech", Json(new { text = "Thirty characters of speech!!" }));
        var wav = DecodeDataUrl((await speech.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("audio").GetProperty("url").GetString()!, "audio/wav");
        (await AudioProbe.ReadAsync("audio", wav, CancellationToken.None)).Seconds.ShouldBe(29 / 15.0, 0.01);
    }

    [Fact]
    public async Task Audio_to_text_takes_the_real_time_factor_times_the_audio_length()
    {
        await using var host = SimulatorHost.Single(new() { ["profile"] = "A100 80GB", ["pipeline"] = "audio-to-text" }, new VirtualTimeProvider(), noiseCv: 0);
        var form = new MultipartFormDataContent { { new ByteArrayContent(LivepeerAspire.Tests.Shared.TestAudio.Encode("flac", 600)), "audio", "clip.flac" } };

        using var response = await host.Client.PostAsync("/gpus/g/audio-to-text", form);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        ServiceSeconds(response).ShouldBe(0.3 + 0.034 * 600, 1e-3);
        body.GetProperty("chunks").GetArrayLength().ShouldBe(120);
        body.GetProperty("chunks")[119].GetProperty("timestamp")[1].GetDouble().ShouldBe(600, 0.01);
    }

    [Fact]
    public async Task Info_routes_report_the_simulated_gpu_and_the_time_scale()
    {
        await using var host = SimulatorHost.Single(new() { ["profile"] = "H100 80GB", ["pipeline"] = "llm" }, timeScale: 0.25);

        var info = await host.Client.GetFromJsonAsync<JsonElement>("/gpus/g/hardware/info");
        var stats = await host.Client.GetFromJsonAsync<JsonElement>("/gpus/g/hardware/stats");
        var version = await host.Client.GetFromJsonAsync<JsonElement>("/gpus/g/version");
        var health = await host.Client.GetFromJsonAsync<JsonElement>("/gpus/g/health");

        info.GetProperty("time_scale").GetDouble().ShouldBe(0.25);
        info.GetProperty("pipeline").GetString().ShouldBe("llm");
        info.GetProperty("model_id").GetString().ShouldBe("meta-llama/llama-3.1-8B-Instruct");
        var gpu = info.GetProperty("gpu_info").GetProperty("0");
        gpu.GetProperty("name").GetString().ShouldBe("NVIDIA H100 80GB HBM3");
        gpu.GetProperty("memory_total").GetInt64().ShouldBe(80L * 1024 * 1024 * 1024);
        gpu.GetProperty("major").GetInt32().ShouldBe(9);
        stats.GetProperty("gpu_stats").GetProperty("0").GetProperty("utilization_compute").GetInt32().ShouldBe(0);
        version.GetProperty("version").GetString().ShouldBe("0.14.1");
        health.GetProperty("status").GetString().ShouldBe("OK");
    }

    internal static HttpContent Body(string pipeline) => pipeline switch
    {
        "text-to-image" => Json(new { prompt = "a cat", width = 64, height = 64 }),
        "image-to-image" => Form(SmallPng(), ("prompt", "a cat")),
        "image-to-video" => Form(SmallPng(), ("width", "64"), ("height", "64")),
        "upscale" => Form(SmallPng(16, 16), ("prompt", "a cat")),
        "audio-to-text" => new MultipartFormDataContent { { new ByteArrayContent(SyntheticWav.Tone(3)), "audio", "blob" } },
        "segment-anything-2" => Form(SmallPng(), ("point_coords", "[[10, 20]]"), ("point_labels", "[1]")),
        "llm" => Json(Chat()),
        "image-to-text" => Form(SmallPng(), ("prompt", "describe")),
        "text-to-speech" => Json(new { text = "hello" }),
        _ => throw new ArgumentOutOfRangeException(nameof(pipeline)),
    };

    internal static byte[] DecodeDataUrl(string url, string mediaType)
    {
        var prefix = $"data:{mediaType};base64,";
        url.ShouldStartWith(prefix);
        return Convert.FromBase64String(url[prefix.Length..]);
    }
}
