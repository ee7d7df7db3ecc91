using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LivepeerAspire.Runner.Simulated.Tests.Support;
using static LivepeerAspire.Runner.Simulated.Tests.Support.Requests;

namespace LivepeerAspire.Runner.Simulated.Tests.Faults;

public class FaultTests
{
    private const string Llama = "meta-llama/Meta-Llama-3.1-8B-Instruct";

    [Fact]
    public async Task A_crashed_gpu_drops_every_connection_until_the_fault_is_cleared()
    {
        await using var host = TextToImage(new VirtualTimeProvider());

        await SetFaultAsync(host, new { kind = "crash" });
        var status = await host.StatusAsync();
        var job = () => host.Client.PostAsync("/gpus/g/text-to-image", Json(new { prompt = "x", width = 64, height = 64 }));

        status.Down.ShouldBeTrue();
        status.Fault!.Spec.Kind.ShouldBe("crash");
        await Should.ThrowAsync<Exception>(job);
        await Should.ThrowAsync<Exception>(() => host.Client.GetAsync("/gpus/g/health"));

        (await host.Client.DeleteAsync("/admin/gpus/g/faults")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await job()).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_crash_during_a_job_aborts_it_promptly()
    {
        await using var host = SimulatorHost.Single(new() { ["profile"] = "RTX 4090", ["pipeline"] = "image-to-video" }, timeScale: 0.2);

        var watch = Stopwatch.StartNew();
        var job = host.Client.PostAsync("/gpus/g/image-to-video", Form(SmallPng(), ("width", "64"), ("height", "64")));
        await Task.Delay(300);
        await SetFaultAsync(host, new { kind = "crash" });

        await Should.ThrowAsync<Exception>(job);
        watch.Elapsed.TotalSeconds.ShouldBeLessThan(5, "the job would have taken 10 s");
    }

    [Fact]
    public async Task A_hung_gpu_accepts_and_never_answers_until_the_client_gives_up()
    {
        await using var host = TextToImage();
        await SetFaultAsync(host, new { kind = "hang" });

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));
        await Should.ThrowAsync<OperationCanceledException>(() =>
            host.Client.PostAsync("/gpus/g/text-to-image", Json(new { prompt = "x", width = 64, height = 64 }), cts.Token));

        (await host.Client.GetFromJsonAsync<JsonElement>("/gpus/g/health")).GetProperty("status").GetString().ShouldBe("OK");
        var status = await host.StatusAsync();
        status.JobsServed.ShouldBe(0);
        status.Fault!.Spec.Kind.ShouldBe("hang");
    }

    [Fact]
    public async Task A_slow_fault_multiplies_the_service_time()
    {
        await using var host = TextToImage(new VirtualTimeProvider(), noiseCv: 0);

        using var normal = await host.Client.PostAsync("/gpus/g/text-to-image", Json(new { prompt = "x" }));
        await SetFaultAsync(host, new { kind = "slow", factor = 10 });
        using var slow = await host.Client.PostAsync("/gpus/g/text-to-image", Json(new { prompt = "x" }));

        ServiceSeconds(slow).ShouldBe(10 * ServiceSeconds(normal), 1e-4);
    }

    [Fact]
    public async Task An_error_rate_fails_that_share_of_jobs_with_the_runner_error_and_the_same_jobs_under_the_same_seed()
    {
        async Task<List<int>> Statuses(int seed)
        {
            await using var host = TextToImage(new VirtualTimeProvider(), seed: seed);
            await SetFaultAsync(host, new { kind = "errors", rate = 0.5 });
            var statuses = new List<int>();
            for (var i = 0; i < 30; i++)
            {
                using var r = await host.Client.PostAsync("/gpus/g/text-to-image", Json(new { prompt = "x", width = 64, height = 64 }));
                statuses.Add((int)r.StatusCode);
                if (r.StatusCode == HttpStatusCode.InternalServerError)
                {
                    (await DetailMessageAsync(r)).ShouldBe("Text-to-image pipeline error.");
                }
            }

            return statuses;
        }

        var first = await Statuses(11);
        first.Count(s => s == 500).ShouldBeInRange(5, 25);
        first.ShouldAllBe(s => s == 200 || s == 500);
        (await Statuses(11)).ShouldBe(first);
        (await Statuses(12)).ShouldNotBe(first);
    }

    [Fact]
    public async Task A_stall_stops_an_llm_stream_after_the_first_tokens()
    {
        await using var host = SimulatorHost.Single(new() { ["profile"] = "RTX 4090", ["pipeline"] = "llm", ["modelId"] = Llama }, timeScale: 0.01);
        await SetFaultAsync(host, new { kind = "stall", afterTokens = 2 });

        var request = new HttpRequestMessage(HttpMethod.Post, "/gpus/g/llm") { Content = Json(Chat(maxTokens: 50, stream: true)) };
        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1.5));
        try
        {
            while (await reader.ReadLineAsync(cts.Token) is { } line)
            {
                if (line.StartsWith("data: "))
                {
                    events.Add(line);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        events.Count.ShouldBe(2);
        events.ShouldNotContain("data: [DONE]");
    }

    [Fact]
    public async Task An_oom_fault_fails_large_inputs_and_serves_small_ones()
    {
        await using var host = TextToImage(new VirtualTimeProvider());
        await SetFaultAsync(host, new { kind = "oom", maxPixels = 512 * 512 });

        using var small = await host.Client.PostAsync("/gpus/g/text-to-image", Json(new { prompt = "x", width = 512, height = 512 }));
        using var large = await host.Client.PostAsync("/gpus/g/text-to-image", Json(new { prompt = "x", width = 1024, height = 576 }));

        small.StatusCode.ShouldBe(HttpStatusCode.OK);
        large.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await DetailMessageAsync(large)).ShouldBe("Out of memory error. Try reducing output image resolution.");
    }

    [Fact]
    public async Task A_flapping_gpu_alternates_up_and_down_every_period()
    {
        var time = new VirtualTimeProvider();
        await using var host = TextToImage(time);
        await SetFaultAsync(host, new { kind = "flap", periodSeconds = 10 });

        async Task<bool> Up()
        {
            try
            {
                return (await host.Client.GetAsync("/gpus/g/health")).IsSuccessStatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                return false; // the in-memory test server reports a dropped connection as a cancellation
            }
        }

        var observed = new List<bool>();
        for (var i = 0; i < 4; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            observed.Add(await Up());
            time.Advance(TimeSpan.FromSeconds(5));
        }

        observed.ShouldBe([true, false, true, false]);
    }

    [Fact]
    public async Task A_scripted_fault_applies_only_inside_its_window_of_simulated_time()
    {
        var time = new VirtualTimeProvider();
        await using var host = SimulatorHost.Single(new()
        {
            ["profile"] = "RTX 4090", ["pipeline"] = "text-to-image", ["modelId"] = "ByteDance/SDXL-Lightning",
            ["faults"] = new object[] { new { kind = "slow", factor = 4, atSeconds = 100, forSeconds = 50 } },
        }, time, noiseCv: 0);
        async Task<double> Job()
        {
            using var r = await host.Client.PostAsync("/gpus/g/text-to-image", Json(new { prompt = "x" }));
            return ServiceSeconds(r);
        }

        var before = await Job();
        time.Advance(TimeSpan.FromSeconds(110));
        var inside = await Job();
        (await host.StatusAsync()).Fault!.Origin.ShouldBe("fleet file");
        time.Advance(TimeSpan.FromSeconds(60));
        var after = await Job();

        inside.ShouldBe(4 * before, 1e-4);
        after.ShouldBe(before, 1e-9);
    }

    [Fact]
    public async Task A_full_queue_refuses_the_next_job_with_the_runner_and_ollama_errors()
    {
        await using var host = SimulatorHost.Single(
            new() { ["profile"] = "RTX 4090", ["pipeline"] = "llm", ["modelId"] = Llama, ["queueLimit"] = 1 }, timeScale: 0.5, noiseCv: 0);
        object Long() => new { model = "llama3.1:8b", stream = false, messages = new[] { new { role = "user", content = "hi" } }, options = new { num_predict = 400 } };

        var running = host.Client.PostAsync("/gpus/g/ollama/api/chat", Json(Long()));
        await WaitUntilAsync(async () => (await host.StatusAsync()).InService == 1);
        var queued = host.Client.PostAsync("/gpus/g/ollama/api/chat", Json(Long()));
        await WaitUntilAsync(async () => (await host.StatusAsync()).Queued == 1);

        using var ollama = await host.Client.PostAsync("/gpus/g/ollama/api/chat", Json(Long()));
        using var runner = await host.Client.PostAsync("/gpus/g/llm", Json(Chat()));

        ollama.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await ollama.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()
            .ShouldBe("server busy, please try again.  maximum pending requests exceeded");
        runner.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await DetailMessageAsync(runner)).ShouldBe("insufficient capacity");
        (await running).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await queued).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("""{"kind":"slow","factor":-1}""", "$.factor")]
    [InlineData("""{"kind":"teleport"}""", "$.kind")]
    [InlineData("""{"kind":"errors"}""", "$.rate")]
    [InlineData("""{"kind":"flap","periodSeconds":0}""", "$.periodSeconds")]
    [InlineData("""{"kind":"stall"}""", "$.kind")]
    [InlineData("""{"kind":"hang","atSeconds":5}""", "$.atSeconds")]
    [InlineData("""{"kind":"slow","factr":3}""", "$.factr")]
    [InlineData("""not json""", "$")]
    public async Task Admin_fault_calls_with_bad_values_get_400_naming_the_member(string body, string member)
    {
        await using var host = TextToImage(new VirtualTimeProvider());

        using var response = await host.Client.PostAsync("/admin/gpus/g/faults", Json(body));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await DetailMessageAsync(response)).ShouldStartWith(member);
        (await host.StatusAsync()).Fault.ShouldBeNull();
    }

    [Fact]
    public async Task Admin_lists_every_gpu_and_404s_an_unknown_one()
    {
        await using var host = new SimulatorHost(new
        {
            gpus = new object[]
            {
                new { id = "a", profile = "RTX 4090", pipeline = "text-to-image" },
                new { id = "b", profile = "RTX 3090", pipeline = "llm", faults = new[] { new { kind = "slow", factor = 2 } } },
            },
        }, new VirtualTimeProvider());

        var list = await host.Client.GetFromJsonAsync<JsonElement>("/admin/gpus");
        using var unknown = await host.Client.PostAsync("/admin/gpus/zz/faults", Json(new { kind = "crash" }));

        list.GetArrayLength().ShouldBe(2);
        list[0].GetProperty("id").GetString().ShouldBe("a");
        list[0].GetProperty("busy").GetBoolean().ShouldBeFalse();
        list[0].GetProperty("queued").GetInt32().ShouldBe(0);
        list[0].GetProperty("jobsServed").GetInt64().ShouldBe(0);
        list[1].GetProperty("fault").GetProperty("spec").GetProperty("kind").GetString().ShouldBe("slow");
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private static SimulatorHost TextToImage(TimeProvider? time = null, int seed = 42, double noiseCv = 0.1) => SimulatorHost.Single(
        new() { ["profile"] = "RTX 4090", ["pipeline"] = "text-to-image", ["modelId"] = "ByteDance/SDXL-Lightning" }, time, seed: seed, noiseCv: noiseCv);

    private static async Task SetFaultAsync(SimulatorHost host, object fault)
    {
        using var response = await host.Client.PostAsync("/admin/gpus/g/faults", Json(fault));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "condition not reached");
            await Task.Delay(20);
        }
    }
}
