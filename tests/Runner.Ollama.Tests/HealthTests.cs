using System.Net;
using System.Text.Json;

namespace LivepeerAspire.Runner.Ollama.Tests;

public sealed class HealthTests
{
    private static async Task<(HttpStatusCode Code, string Status)> HealthAsync(ShimHost shim)
    {
        var response = await shim.Client.GetAsync("/health");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString()!;
        return (response.StatusCode, status);
    }

    [Fact]
    public async Task Ok_when_ollama_is_up_and_has_the_mapped_tag()
    {
        await using var ollama = await FakeOllama.StartAsync();
        await using var shim = await ShimHost.StartAsync(ollama.BaseUrl);

        (await HealthAsync(shim)).ShouldBe((HttpStatusCode.OK, "OK"));
    }

    [Fact]
    public async Task A_tag_without_version_matches_latest()
    {
        await using var ollama = await FakeOllama.StartAsync();
        ollama.Tags.Add("tinyllama:latest");
        await using var shim = await ShimHost.StartAsync(ollama.BaseUrl, new() { ["OllamaRunner:OllamaModel"] = "tinyllama" });

        (await HealthAsync(shim)).ShouldBe((HttpStatusCode.OK, "OK"));
    }

    [Fact]
    public async Task Error_with_200_when_ollama_lacks_the_tag_and_nobody_pulls_it()
    {
        await using var ollama = await FakeOllama.StartAsync();
        ollama.Tags.Clear();
        await using var shim = await ShimHost.StartAsync(ollama.BaseUrl);

        (await HealthAsync(shim)).ShouldBe((HttpStatusCode.OK, "ERROR"));
    }

    [Fact]
    public async Task Error_with_503_when_ollama_is_down()
    {
        var gone = await FakeOllama.StartAsync();
        var url = gone.BaseUrl;
        await gone.DisposeAsync();
        await using var shim = await ShimHost.StartAsync(url);

        (await HealthAsync(shim)).ShouldBe((HttpStatusCode.ServiceUnavailable, "ERROR"));
    }

    [Fact]
    public async Task Loading_while_the_shim_pulls_the_missing_tag_then_ok()
    {
        await using var ollama = await FakeOllama.StartAsync();
        ollama.Tags.Clear();
        ollama.PullGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var shim = await ShimHost.StartAsync(ollama.BaseUrl, new() { ["OllamaRunner:PullMissingModel"] = "true" });

        (await EventuallyAsync(shim, "LOADING")).ShouldBe((HttpStatusCode.OK, "LOADING"));
        ollama.PullGate.SetResult();
        (await EventuallyAsync(shim, "OK")).ShouldBe((HttpStatusCode.OK, "OK"));
        ollama.Tags.ShouldContain("llama3.1:8b");
    }

    [Fact]
    public async Task Loading_while_the_shim_loads_the_model_at_start_then_ok()
    {
        await using var ollama = await FakeOllama.StartAsync();
        ollama.LoadGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var shim = await ShimHost.StartAsync(ollama.BaseUrl, new() { ["OllamaRunner:WarmOnStart"] = "true" });

        (await HealthAsync(shim)).ShouldBe((HttpStatusCode.OK, "LOADING"));
        ollama.LoadGate.SetResult();
        (await EventuallyAsync(shim, "OK")).ShouldBe((HttpStatusCode.OK, "OK"));
    }

    /// <summary>Polls /health until it shows the status (background work is involved), for at most 30 s.</summary>
    private static async Task<(HttpStatusCode, string)> EventuallyAsync(ShimHost shim, string status)
    {
        var last = await HealthAsync(shim);
        for (var i = 0; i < 300 && last.Status != status; i++)
        {
            await Task.Delay(100);
            last = await HealthAsync(shim);
        }

        return last;
    }
}
