using System.Net.Http.Json;
using System.Text.Json;
using LivepeerAspire.Protocol.Progress;
using LivepeerAspire.Protocol.Wire;
using LivepeerAspire.Runner.Simulated.Tests.Support;
using static LivepeerAspire.Runner.Simulated.Tests.Support.Requests;

namespace LivepeerAspire.Runner.Simulated.Tests.Api;

/// <summary>The proposed ai-runner extension as the simulator serves it: per-step progress with its calibrated step times.</summary>
public sealed class ProgressTests
{
    private static async Task<List<SseEvent>> EventsAsync(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        return new SseEventReader().Feed(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Image_to_video_reports_every_step_at_equal_calibrated_intervals_then_the_plain_result()
    {
        await using var host = SimulatorHost.Single(new() { ["profile"] = "RTX 4090", ["pipeline"] = "image-to-video" }, new VirtualTimeProvider(), noiseCv: 0);
        using var plain = await host.Client.PostAsync("/gpus/g/image-to-video", Form(SmallPng(), ("width", "256"), ("height", "144"), ("seed", "5")));
        var serviceMs = ServiceSeconds(plain) * 1000;

        var request = new HttpRequestMessage(HttpMethod.Post, "/gpus/g/image-to-video") { Content = Form(SmallPng(), ("width", "256"), ("height", "144"), ("seed", "5")) };
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await host.Client.SendAsync(request);
        var events = await EventsAsync(response);

        var progress = events.Where(e => e.Name == "progress").Select(e => JsonSerializer.Deserialize<ProgressEvent>(e.Data, WireJson.Options)!).ToList();
        progress.Select(p => p.Step).ShouldBe(Enumerable.Range(0, 26));
        progress.ShouldAllBe(p => p.TotalSteps == 25);
        progress[0].ElapsedMs.ShouldBe(0);
        ((double)progress[25].ElapsedMs).ShouldBe(serviceMs, tolerance: 2);
        ((double)progress[1].ElapsedMs).ShouldBe(serviceMs / 25, tolerance: 1);
        progress.Where(p => p.Preview is not null).Select(p => p.Step).ShouldBe([5, 10, 15, 20, 25]);
        progress[5].Preview!.ShouldStartWith("data:image/png;base64,");

        events.Last().Name.ShouldBe("result");
        var frames = JsonDocument.Parse(events.Last().Data).RootElement.GetProperty("frames");
        frames[0].GetArrayLength().ShouldBe(25);
    }

    [Fact]
    public async Task Text_to_image_counts_the_fixed_steps_of_every_image_and_a_plain_request_is_unchanged()
    {
        // SDXL-Lightning runs its 4 fixed steps whatever num_inference_steps says: n = 4 × 2 images.
        await using var host = SimulatorHost.Single(new() { ["profile"] = "RTX 4090", ["pipeline"] = "text-to-image", ["modelId"] = "ByteDance/SDXL-Lightning" }, new VirtualTimeProvider(), noiseCv: 0);
        var request = new HttpRequestMessage(HttpMethod.Post, "/gpus/g/text-to-image") { Content = Json(new { prompt = "fox", width = 64, height = 64, num_images_per_prompt = 2, num_inference_steps = 30 }) };
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await host.Client.SendAsync(request);
        var events = await EventsAsync(response);
        events.Count(e => e.Name == "progress").ShouldBe(9);
        JsonSerializer.Deserialize<ProgressEvent>(events[0].Data, WireJson.Options)!.TotalSteps.ShouldBe(8);
        JsonDocument.Parse(events.Last().Data).RootElement.GetProperty("images").GetArrayLength().ShouldBe(2);

        using var plain = await host.Client.PostAsync("/gpus/g/text-to-image", Json(new { prompt = "fox", width = 64, height = 64 }));
        plain.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
    }

    [Theory]
    [InlineData("image-to-video", true)]
    [InlineData("upscale", true)]
    [InlineData("audio-to-text", false)]
    public async Task Version_advertises_progress_on_the_diffusion_routes_only(string pipeline, bool offered)
    {
        await using var host = SimulatorHost.Single(new() { ["profile"] = "RTX 4090", ["pipeline"] = pipeline }, new VirtualTimeProvider());
        var version = await host.Client.GetFromJsonAsync<RunnerVersion>("/gpus/g/version", WireJson.Options);
        (version!.Progress is { Unit: "step", PreviewEvery: 5 }).ShouldBe(offered);
    }
}
