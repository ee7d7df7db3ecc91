using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Tests.Api;

public sealed class FirstRoutesTests
{
    private const string Llama = "meta-llama/llama-3.1-8B-Instruct";

    private static FakeModel[] LlmAndImage(int _) =>
    [
        new(PipelineCatalog.Llm, Llama),
        new(PipelineCatalog.TextToImage, "stabilityai/sdxl-turbo"),
    ];

    [Fact]
    public async Task Llm_json_answer_has_no_nulls_and_carries_the_job_headers()
    {
        await using var gw = await GatewayHost.StartAsync(2, LlmAndImage);
        var response = await gw.Client.PostAsync("/llm", Json(new { model = "", messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 16, stream = false }));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        text.ShouldNotContain("null");
        using var doc = JsonDocument.Parse(text);
        doc.RootElement.GetProperty("model").GetString().ShouldBe(Llama);
        doc.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!.ShouldStartWith("Hello from");
        response.Headers.GetValues("Livepeer-Attempts").Single().ShouldBe("1");
        response.Headers.GetValues("Livepeer-Fee").Single().ShouldBe("0");
        gw.Orchestrators.Select(o => o.Url).ShouldContain(response.Headers.GetValues("Livepeer-Orchestrator").Single());
    }

    [Fact]
    public async Task Llm_stream_is_go_livepeer_sse_without_done()
    {
        await using var gw = await GatewayHost.StartAsync(1, LlmAndImage);
        var response = await gw.Client.PostAsync("/llm", Json(new { model = Llama, messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 16, stream = true }));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        text.ShouldNotContain("[DONE]");
        text.ShouldNotContain("null");
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        events.Length.ShouldBe(4);
        events.ShouldAllBe(e => e.StartsWith("data: {"));
        var last = JsonDocument.Parse(events[^1]["data: ".Length..]);
        last.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldBe("stop");
        var first = JsonDocument.Parse(events[0]["data: ".Length..]);
        first.RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString().ShouldBe("Hello");
    }

    [Fact]
    public async Task Text_to_image_routes_with_the_default_model_and_round_robins_over_warm_orchestrators()
    {
        await using var gw = await GatewayHost.StartAsync(3, LlmAndImage);
        var seen = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var response = await gw.Client.PostAsync("/text-to-image", Json(new { prompt = "a cat", model_id = "" }));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            seen.Add(response.Headers.GetValues("Livepeer-Orchestrator").Single());
            var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            doc.RootElement.GetProperty("images")[0].GetProperty("url").GetString()!.ShouldStartWith("data:image/png;base64,");
        }

        seen.Distinct().Count().ShouldBe(3);
        seen.GroupBy(s => s).ShouldAllBe(g => g.Count() == 2);
        foreach (var fake in gw.Orchestrators)
        {
            fake.Requests.Where(r => r.Route == "/text-to-image")
                .ShouldAllBe(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("model_id").GetString() == "stabilityai/sdxl-turbo");
        }
    }

    [Fact]
    public async Task Chat_completions_non_stream_and_stream_have_openai_shapes()
    {
        await using var gw = await GatewayHost.StartAsync(1, LlmAndImage);
        var body = new { model = Llama, messages = new[] { new { role = "user", content = "hi" } } };
        var response = await gw.Client.PostAsync("/v1/chat/completions", Json(body));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var doc = JsonDocument.Parse(text).RootElement;
        doc.GetProperty("object").GetString().ShouldBe("chat.completion");
        doc.GetProperty("choices")[0].GetProperty("message").GetProperty("role").GetString().ShouldBe("assistant");
        doc.GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldBe("stop");
        doc.GetProperty("usage").GetProperty("total_tokens").GetInt32().ShouldBe(6);

        var stream = await gw.Client.PostAsync("/v1/chat/completions", Json(new { model = Llama, messages = body.messages, stream = true }));
        var sse = await stream.Content.ReadAsStringAsync();
        stream.StatusCode.ShouldBe(HttpStatusCode.OK, sse);
        var events = sse.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        events[^1].ShouldBe("data: [DONE]");
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToList();
        chunks.ShouldAllBe(c => c.GetProperty("object").GetString() == "chat.completion.chunk");
        chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString().ShouldBe("assistant");
        chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldBe("stop");
        string.Concat(chunks.Select(c => c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : ""))
            .ShouldStartWith("Hello from");
    }

    [Fact]
    public async Task Network_capabilities_list_every_orchestrator_and_model()
    {
        await using var gw = await GatewayHost.StartAsync(2, LlmAndImage);
        var doc = JsonDocument.Parse(await gw.Client.GetStringAsync("/getNetworkCapabilities")).RootElement;
        var orchestrators = doc.GetProperty("orchestrators").EnumerateArray().ToList();
        orchestrators.Count.ShouldBe(2);
        orchestrators.Select(o => o.GetProperty("orch_uri").GetString()).OrderBy(x => x).ShouldBe(gw.Orchestrators.Select(o => o.Url).OrderBy(x => x));
        var models = orchestrators[0].GetProperty("models").EnumerateArray().ToList();
        models.Select(m => m.GetProperty("model_id").GetString()).ShouldBe(["stabilityai/sdxl-turbo", Llama], ignoreOrder: true);
        models.ShouldAllBe(m => m.GetProperty("warm").GetBoolean() && m.GetProperty("capacity").GetInt32() == 1);
    }

    internal static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}
