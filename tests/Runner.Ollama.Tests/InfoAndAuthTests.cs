using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace LivepeerAspire.Runner.Ollama.Tests;

public sealed class InfoAndAuthTests : IAsyncLifetime
{
    private FakeOllama _ollama = null!;

    public async Task InitializeAsync() => _ollama = await FakeOllama.StartAsync();

    public async Task DisposeAsync() => await _ollama.DisposeAsync();

    private static object Chat => new { model = "", messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 3 };

    [Fact]
    public async Task Version_reports_the_pipeline_the_hf_id_and_the_configured_version()
    {
        await using var shim = await ShimHost.StartAsync(_ollama.BaseUrl, new() { ["OllamaRunner:Version"] = "0.14.2" });

        var root = JsonDocument.Parse(await shim.Client.GetStringAsync("/version")).RootElement;

        root.GetProperty("pipeline").GetString().ShouldBe("llm");
        root.GetProperty("model_id").GetString().ShouldBe("meta-llama/Meta-Llama-3.1-8B-Instruct");
        root.GetProperty("version").GetString().ShouldBe("0.14.2");
    }

    [Fact]
    public async Task Hardware_info_lists_the_configured_gpu_keyed_by_device_index()
    {
        await using var shim = await ShimHost.StartAsync(_ollama.BaseUrl, new()
        {
            ["OllamaRunner:GpuName"] = "NVIDIA GeForce RTX 4090",
            ["OllamaRunner:GpuMemoryTotal"] = "25757220864",
        });

        var root = JsonDocument.Parse(await shim.Client.GetStringAsync("/hardware/info")).RootElement;

        root.GetProperty("pipeline").GetString().ShouldBe("llm");
        var gpu = root.GetProperty("gpu_info").GetProperty("0");
        gpu.GetProperty("name").GetString().ShouldBe("NVIDIA GeForce RTX 4090");
        gpu.GetProperty("memory_total").GetInt64().ShouldBe(25757220864);
    }

    [Fact]
    public async Task Hardware_stats_follow_the_ai_runner_schema_with_memory_in_use_from_ollamas_loaded_models()
    {
        _ollama.Loaded.Add(("llama3.1:8b", 6_000_000_000));
        await using var shim = await ShimHost.StartAsync(_ollama.BaseUrl, new()
        {
            ["OllamaRunner:GpuName"] = "NVIDIA GeForce RTX 4090",
            ["OllamaRunner:GpuMemoryTotal"] = "24000000000",
        });

        var root = JsonDocument.Parse(await shim.Client.GetStringAsync("/hardware/stats")).RootElement;

        // HardwareStats: pipeline, model_id, gpu_stats keyed by device index; GPUUtilizationInfo members as in the OpenAPI.
        root.EnumerateObject().Select(p => p.Name).ShouldBe(["pipeline", "model_id", "gpu_stats"], ignoreOrder: true);
        root.GetProperty("pipeline").GetString().ShouldBe("llm");
        var gpu = root.GetProperty("gpu_stats").GetProperty("0");
        gpu.EnumerateObject().Select(p => p.Name).ShouldBe(["id", "name", "memory_total", "memory_free", "utilization_compute", "utilization_memory"], ignoreOrder: true);
        gpu.GetProperty("name").GetString().ShouldBe("NVIDIA GeForce RTX 4090");
        gpu.GetProperty("memory_total").GetInt64().ShouldBe(24_000_000_000);
        gpu.GetProperty("memory_free").GetInt64().ShouldBe(18_000_000_000);
        gpu.GetProperty("utilization_memory").GetInt32().ShouldBe(25);
        gpu.GetProperty("utilization_compute").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task Hardware_info_without_a_configured_gpu_has_an_empty_map()
    {
        await using var shim = await ShimHost.StartAsync(_ollama.BaseUrl);

        var root = JsonDocument.Parse(await shim.Client.GetStringAsync("/hardware/info/")).RootElement;

        root.GetProperty("gpu_info").EnumerateObject().ShouldBeEmpty();
    }

    [Fact]
    public async Task With_a_token_llm_needs_the_bearer_and_says_so_like_the_ai_runner()
    {
        _ollama.ChatLines = [FakeOllama.Line("ok"), FakeOllama.Final("stop", 1, 1)];
        await using var shim = await ShimHost.StartAsync(_ollama.BaseUrl, new() { ["OllamaRunner:Token"] = "s3cret" });

        var missing = await shim.Client.PostAsJsonAsync("/llm", Chat);
        missing.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        missing.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
        (await LlmTests.DetailAsync(missing)).ShouldBe("Invalid bearer token");

        var wrong = new HttpRequestMessage(HttpMethod.Post, "/llm") { Content = JsonContent.Create(Chat) };
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "nope");
        (await shim.Client.SendAsync(wrong)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        _ollama.ChatRequests.ShouldBeEmpty();

        var right = new HttpRequestMessage(HttpMethod.Post, "/llm/") { Content = JsonContent.Create(Chat) };
        right.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
        (await shim.Client.SendAsync(right)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Health_needs_no_token()
    {
        await using var shim = await ShimHost.StartAsync(_ollama.BaseUrl, new() { ["OllamaRunner:Token"] = "s3cret" });

        (await shim.Client.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_model_map_override_from_configuration_decides_the_tag_sent_to_ollama()
    {
        _ollama.ChatLines = [FakeOllama.Line("ok"), FakeOllama.Final("stop", 1, 1)];
        await using var shim = await ShimHost.StartAsync(_ollama.BaseUrl, new()
        {
            ["OllamaRunner:ModelId"] = "acme/tiny-chat",
            ["OllamaRunner:ModelMap:acme/tiny-chat"] = "tinyllama:1.1b",
        });

        (await shim.Client.PostAsJsonAsync("/llm", Chat)).StatusCode.ShouldBe(HttpStatusCode.OK);

        _ollama.ChatRequests.TryDequeue(out var sent).ShouldBeTrue();
        sent!.RootElement.GetProperty("model").GetString().ShouldBe("tinyllama:1.1b");
    }
}
