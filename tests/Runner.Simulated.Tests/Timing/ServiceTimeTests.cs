using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using LivepeerAspire.Runner.Simulated.Gpus;
using LivepeerAspire.Runner.Simulated.Tests.Support;
using static LivepeerAspire.Runner.Simulated.Tests.Support.Requests;

namespace LivepeerAspire.Runner.Simulated.Tests.Timing;

public class ServiceTimeTests
{
    private const string Svd = "stabilityai/stable-video-diffusion-img2vid-xt-1-1";

    [Fact]
    public async Task Measured_image_to_video_time_on_a_4090_matches_the_profile_within_the_noise_bound()
    {
        const double cv = 0.1;
        var (low, high) = Noise.Bounds(cv);
        var time = new VirtualTimeProvider();
        await using var host = SimulatorHost.Single(new() { ["profile"] = "RTX 4090", ["pipeline"] = "image-to-video", ["modelId"] = Svd }, time, noiseCv: cv);

        var measured = new List<double>();
        for (var i = 0; i < 8; i++)
        {
            var before = time.GetUtcNow();
            using var response = await host.Client.PostAsync("/gpus/g/image-to-video", Form(SmallPng()));
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            var elapsed = (time.GetUtcNow() - before).TotalSeconds;
            var warmCheck = LoadSeconds(response);
            measured.Add(elapsed - warmCheck);
            (elapsed - warmCheck).ShouldBe(ServiceSeconds(response), 0.01);
        }

        measured.ShouldAllBe(s => s >= 50 * low - 0.01 && s <= 50 * high + 0.01);
        measured.Distinct().Count().ShouldBeGreaterThan(1, "noise should vary the service time");
    }

    [Fact]
    public async Task Image_to_video_on_a_4060_with_offload_is_about_ten_times_slower_than_on_a_4090()
    {
        var time = new VirtualTimeProvider();
        await using var host = new SimulatorHost(new
        {
            timeScale = 1,
            noiseCv = 0.05,
            gpus = new object[]
            {
                new { id = "fast", profile = "RTX 4090", pipeline = "image-to-video", modelId = Svd },
                new { id = "slow", profile = "RTX 4060 8GB", pipeline = "image-to-video", modelId = Svd, cpuOffload = true },
            },
        }, time);

        using var fast = await host.Client.PostAsync("/gpus/fast/image-to-video", Form(SmallPng()));
        using var slow = await host.Client.PostAsync("/gpus/slow/image-to-video", Form(SmallPng()));

        (ServiceSeconds(slow) / ServiceSeconds(fast)).ShouldBeInRange(8.0, 13.0);
    }

    [Fact]
    public async Task With_a_small_time_scale_the_50_s_and_517_s_jobs_take_a_few_seconds_of_wall_time()
    {
        const double scale = 0.005;
        await using var host = new SimulatorHost(new
        {
            timeScale = scale,
            noiseCv = 0.05,
            gpus = new object[]
            {
                new { id = "fast", profile = "RTX 4090", pipeline = "image-to-video", modelId = Svd },
                new { id = "slow", profile = "RTX 4060 8GB", pipeline = "image-to-video", modelId = Svd, cpuOffload = true },
            },
        });

        var watch = Stopwatch.StartNew();
        var fastTask = host.Client.PostAsync("/gpus/fast/image-to-video", Form(SmallPng()));
        var slowTask = host.Client.PostAsync("/gpus/slow/image-to-video", Form(SmallPng()));
        using var fast = await fastTask;
        var fastWall = watch.Elapsed;
        using var slow = await slowTask;
        var slowWall = watch.Elapsed;

        fast.StatusCode.ShouldBe(HttpStatusCode.OK);
        slow.StatusCode.ShouldBe(HttpStatusCode.OK);
        ServiceSeconds(fast).ShouldBeInRange(50 * 0.85, 50 * 1.15);
        ServiceSeconds(slow).ShouldBeInRange(517 * 0.85, 517 * 1.15);
        slow.Headers.GetValues("X-Simulator-Time-Scale").Single().ShouldBe("0.005");

        // Waits are never shorter than scaled; the upper bound is generous for a loaded 2-core machine.
        slowWall.TotalSeconds.ShouldBeGreaterThanOrEqualTo(ServiceSeconds(slow) * scale * 0.98);
        slowWall.TotalSeconds.ShouldBeLessThan(30);
        fastWall.ShouldBeLessThan(slowWall);
    }

    [Fact]
    public async Task Service_times_are_reproducible_under_a_seed_and_differ_under_another()
    {
        async Task<List<double>> Run(int seed)
        {
            await using var host = SimulatorHost.Single(
                new() { ["profile"] = "RTX 3090", ["pipeline"] = "text-to-image", ["modelId"] = "ByteDance/SDXL-Lightning" },
                new VirtualTimeProvider(), seed: seed);
            var times = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                using var r = await host.Client.PostAsync("/gpus/g/text-to-image", Json(new { prompt = "a lighthouse", width = 64, height = 64 }));
                times.Add(ServiceSeconds(r));
            }

            return times;
        }

        var first = await Run(7);
        (await Run(7)).ShouldBe(first);
        (await Run(8)).ShouldNotBe(first);
    }

    [Fact]
    public async Task Lightning_models_run_their_fixed_steps_whatever_the_request_asks()
    {
        await using var host = SimulatorHost.Single(
            new() { ["profile"] = "RTX 4090", ["pipeline"] = "text-to-image", ["modelId"] = "ByteDance/SDXL-Lightning" },
            new VirtualTimeProvider(), noiseCv: 0);

        using var few = await host.Client.PostAsync("/gpus/g/text-to-image", Json(new { prompt = "x", num_inference_steps = 2 }));
        using var many = await host.Client.PostAsync("/gpus/g/text-to-image", Json(new { prompt = "x", num_inference_steps = 200 }));

        // 4 steps at 1024×576 on the 4090 SDXL figure: 0.3 + 3.1 × 4/25 × 0.5625.
        ServiceSeconds(few).ShouldBe(0.3 + 3.1 * 4 / 25 * 0.5625, 1e-4);
        ServiceSeconds(many).ShouldBe(ServiceSeconds(few), 1e-9);
    }

    [Fact]
    public async Task Llm_decode_runs_at_the_profile_rate()
    {
        await using var host = SimulatorHost.Single(
            new() { ["profile"] = "RTX 4090", ["pipeline"] = "llm", ["modelId"] = "meta-llama/Meta-Llama-3.1-8B-Instruct" },
            new VirtualTimeProvider(), noiseCv: 0);

        using var response = await host.Client.PostAsync("/gpus/g/ollama/api/chat",
            Json(new { model = "llama3.1:8b", stream = false, messages = new[] { new { role = "user", content = "count to ten" } }, options = new { num_predict = 100 } }));
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();

        body.GetProperty("eval_count").GetInt32().ShouldBe(100);
        var rate = 100 / (body.GetProperty("eval_duration").GetInt64() / 1e9);
        rate.ShouldBe(130.6, 0.5);
        var prefill = body.GetProperty("prompt_eval_count").GetInt32() / (body.GetProperty("prompt_eval_duration").GetInt64() / 1e9);
        prefill.ShouldBe(7139, 10);
    }
}
