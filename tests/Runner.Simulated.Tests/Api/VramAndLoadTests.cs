using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LivepeerAspire.Runner.Simulated.Tests.Support;
using static LivepeerAspire.Runner.Simulated.Tests.Support.Requests;

namespace LivepeerAspire.Runner.Simulated.Tests.Api;

public class VramAndLoadTests
{
    private const string Llama = "meta-llama/Meta-Llama-3.1-8B-Instruct";

    [Fact]
    public async Task An_fp16_8b_model_does_not_fit_an_8_gb_card_and_is_refused_at_load()
    {
        await using var host = SimulatorHost.Single(
            new() { ["profile"] = "RTX 4060 8GB", ["pipeline"] = "llm", ["modelId"] = Llama, ["quantization"] = "f16" }, new VirtualTimeProvider());

        using var runner = await host.Client.PostAsync("/gpus/g/llm", Json(Chat()));
        using var ollama = await host.Client.PostAsync("/gpus/g/ollama/api/chat", Json(new { model = "llama3.1:8b", messages = new[] { new { role = "user", content = "hi" } } }));
        var health = await host.Client.GetFromJsonAsync<JsonElement>("/gpus/g/health");
        var status = await host.StatusAsync();

        runner.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await DetailMessageAsync(runner)).ShouldBe("GPU out of memory.");
        ollama.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await ollama.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()
            .ShouldBe("model requires more system memory (16.0 GiB) than is available (8.0 GiB)");
        health.GetProperty("status").GetString().ShouldBe("ERROR");
        status.Placement.ShouldBe("does-not-fit");
        status.Loaded.ShouldBeFalse();
        status.JobsServed.ShouldBe(0);
    }

    [Fact]
    public async Task The_same_card_serves_the_q4_model_and_a_24_gb_card_serves_fp16()
    {
        await using var q4 = SimulatorHost.Single(new() { ["profile"] = "RTX 4060 8GB", ["pipeline"] = "llm", ["modelId"] = Llama }, new VirtualTimeProvider());
        await using var fp16 = SimulatorHost.Single(new() { ["profile"] = "RTX 4090", ["pipeline"] = "llm", ["modelId"] = Llama, ["quantization"] = "f16" }, new VirtualTimeProvider());

        (await q4.Client.PostAsync("/gpus/g/llm", Json(Chat()))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await fp16.Client.PostAsync("/gpus/g/llm", Json(Chat()))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Svd_on_an_8_gb_card_needs_cpu_offload_and_then_runs_2_7_times_slower()
    {
        var gpu = new Dictionary<string, object?> { ["profile"] = "RTX 4060 8GB", ["pipeline"] = "image-to-video" };
        await using var without = SimulatorHost.Single(new(gpu), new VirtualTimeProvider(), noiseCv: 0);
        await using var with = SimulatorHost.Single(new(gpu) { ["cpuOffload"] = true }, new VirtualTimeProvider(), noiseCv: 0);

        using var refused = await without.Client.PostAsync("/gpus/g/image-to-video", Form(SmallPng()));
        using var served = await with.Client.PostAsync("/gpus/g/image-to-video", Form(SmallPng(), ("width", "64"), ("height", "64")));

        refused.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await DetailMessageAsync(refused)).ShouldBe("GPU out of memory.");
        served.StatusCode.ShouldBe(HttpStatusCode.OK);
        var nominal = 2.0 + (191.5 - 2.0) * (64.0 * 64 / (1024 * 576));
        ServiceSeconds(served).ShouldBe(nominal * 2.7, 1e-3);
        (await with.StatusAsync()).Placement.ShouldBe("cpu-offload");
    }

    [Fact]
    public async Task Ollama_load_duration_shows_a_cold_load_then_a_warm_model_then_a_cold_load_after_keep_alive()
    {
        var time = new VirtualTimeProvider();
        await using var host = SimulatorHost.Single(
            new() { ["profile"] = "RTX 3090", ["pipeline"] = "llm", ["modelId"] = Llama, ["warm"] = false }, time);
        async Task<long> LoadNanos(object? keepAlive = null)
        {
            var body = new Dictionary<string, object?>
            {
                ["model"] = "llama3.1:8b", ["stream"] = false, ["messages"] = new[] { new { role = "user", content = "hi" } }, ["options"] = new { num_predict = 3 },
            };
            if (keepAlive is not null)
            {
                body["keep_alive"] = keepAlive;
            }

            var reply = await (await host.Client.PostAsync("/gpus/g/ollama/api/chat", Json(body))).Content.ReadFromJsonAsync<JsonElement>();
            return reply.GetProperty("load_duration").GetInt64();
        }

        (await host.StatusAsync()).Loaded.ShouldBeFalse();
        ((double)await LoadNanos("10m")).ShouldBe(6.08e9, 1e6); // 1.5 s + 1.0 s/GB × 4.58 GB
        (await LoadNanos("10m")).ShouldBeLessThan(10_000_000);
        var ps = await host.Client.GetFromJsonAsync<JsonElement>("/gpus/g/ollama/api/ps");
        ps.GetProperty("models").GetArrayLength().ShouldBe(1);

        time.Advance(TimeSpan.FromMinutes(11));

        (await host.Client.GetFromJsonAsync<JsonElement>("/gpus/g/ollama/api/ps")).GetProperty("models").GetArrayLength().ShouldBe(0);
        ((double)await LoadNanos(0)).ShouldBe(6.08e9, 1e6);
        (await host.StatusAsync()).Loaded.ShouldBeFalse("keep_alive 0 unloads right after the answer");
        (await LoadNanos(-1)).ShouldBeGreaterThan(1_000_000_000);
        time.Advance(TimeSpan.FromDays(2));
        (await LoadNanos()).ShouldBeLessThan(10_000_000);
    }

    [Fact]
    public async Task Empty_messages_load_the_model_and_with_keep_alive_0_unload_it()
    {
        await using var host = SimulatorHost.Single(
            new() { ["profile"] = "RTX 3090", ["pipeline"] = "llm", ["modelId"] = Llama, ["warm"] = false }, new VirtualTimeProvider());

        var load = await (await host.Client.PostAsync("/gpus/g/ollama/api/chat", Json(new { model = "llama3.1:8b", messages = Array.Empty<object>(), stream = false })))
            .Content.ReadFromJsonAsync<JsonElement>();
        var loadedAfterLoad = (await host.StatusAsync()).Loaded;
        var unload = await (await host.Client.PostAsync("/gpus/g/ollama/api/chat", Json(new { model = "llama3.1:8b", messages = Array.Empty<object>(), keep_alive = 0, stream = false })))
            .Content.ReadFromJsonAsync<JsonElement>();

        load.GetProperty("done_reason").GetString().ShouldBe("load");
        loadedAfterLoad.ShouldBeTrue();
        unload.GetProperty("done_reason").GetString().ShouldBe("unload");
        (await host.StatusAsync()).Loaded.ShouldBeFalse();
    }

    [Fact]
    public async Task A_cold_batch_gpu_pays_the_load_once_and_the_ai_runner_keeps_it_loaded()
    {
        var time = new VirtualTimeProvider();
        await using var host = SimulatorHost.Single(new() { ["profile"] = "RTX 4090", ["pipeline"] = "text-to-image", ["warm"] = false }, time);

        using var first = await host.Client.PostAsync("/gpus/g/text-to-image", Json(new { prompt = "x", width = 64, height = 64 }));
        time.Advance(TimeSpan.FromHours(1));
        using var second = await host.Client.PostAsync("/gpus/g/text-to-image", Json(new { prompt = "x", width = 64, height = 64 }));

        LoadSeconds(first).ShouldBe(8 + 1.25 * 6.9, 1e-6); // diffusers: 8 s + 1.25 s/GB × 6.9 GB
        LoadSeconds(second).ShouldBeLessThan(0.01);
    }
}
