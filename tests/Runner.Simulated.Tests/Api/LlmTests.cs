using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LivepeerAspire.Runner.Simulated.Tests.Support;
using static LivepeerAspire.Runner.Simulated.Tests.Support.Requests;

namespace LivepeerAspire.Runner.Simulated.Tests.Api;

public class LlmTests
{
    private const string Llama = "meta-llama/Meta-Llama-3.1-8B-Instruct";

    [Fact]
    public async Task Llm_json_answer_has_usage_and_a_message_and_no_null_members()
    {
        await using var host = LlmGpu("RTX 4090");

        using var response = await host.Client.PostAsync("/gpus/g/llm", Json(Chat(maxTokens: 12, model: Llama)));
        var text = await response.Content.ReadAsStringAsync();
        var body = JsonDocument.Parse(text).RootElement;

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        text.ShouldNotContain("null");
        body.GetProperty("id").GetString()!.ShouldStartWith("chatcmpl-");
        body.GetProperty("model").GetString().ShouldBe(Llama);
        var choice = body.GetProperty("choices")[0];
        choice.GetProperty("message").GetProperty("role").GetString().ShouldBe("assistant");
        choice.GetProperty("finish_reason").GetString().ShouldBeOneOf("stop", "length");
        var usage = body.GetProperty("usage");
        usage.GetProperty("completion_tokens").GetInt32().ShouldBeInRange(1, 12);
        usage.GetProperty("total_tokens").GetInt32().ShouldBe(usage.GetProperty("prompt_tokens").GetInt32() + usage.GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Llm_stream_sends_one_event_per_token_then_a_finish_chunk_and_done()
    {
        await using var host = LlmGpu("RTX 4090");

        using var response = await host.Client.PostAsync("/gpus/g/llm", Json(Chat(maxTokens: 6, stream: true)));
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        events.ShouldAllBe(e => e.StartsWith("data: "));
        events[^1].ShouldBe("data: [DONE]");
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToList();
        chunks.ShouldAllBe(c => c.GetProperty("choices").GetArrayLength() == 1);
        var final = chunks[^1].GetProperty("choices")[0];
        final.GetProperty("finish_reason").GetString().ShouldNotBeNullOrEmpty();
        final.GetProperty("delta").GetProperty("content").GetString().ShouldBe("");
        var tokens = chunks[..^1].Count;
        tokens.ShouldBeInRange(1, 6);
        chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32().ShouldBe(tokens);
    }

    [Fact]
    public async Task The_same_seed_and_prompt_give_the_same_words()
    {
        async Task<string> Answer(int seed)
        {
            await using var host = LlmGpu("RTX 3090", seed);
            var body = await (await host.Client.PostAsync("/gpus/g/llm", Json(Chat("tell me about GPUs", 40)))).Content.ReadFromJsonAsync<JsonElement>();
            return body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        }

        var first = await Answer(1);
        first.Split(' ').Length.ShouldBeGreaterThan(10);
        (await Answer(1)).ShouldBe(first);
        (await Answer(2)).ShouldNotBe(first);
    }

    [Fact]
    public async Task Ollama_chat_streams_ndjson_and_ends_with_done_reason_and_counts()
    {
        await using var host = LlmGpu("RTX 3090");

        using var response = await host.Client.PostAsync("/gpus/g/ollama/api/chat",
            Json(new { model = "llama3.1:8b", messages = new[] { new { role = "user", content = "hi" } }, options = new { num_predict = 5 } }));
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();

        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-ndjson");
        lines.Count.ShouldBe(6);
        lines[..5].ShouldAllBe(l => !l.GetProperty("done").GetBoolean() && l.GetProperty("message").GetProperty("content").GetString()!.Length > 0);
        var final = lines[^1];
        final.GetProperty("done").GetBoolean().ShouldBeTrue();
        final.GetProperty("done_reason").GetString().ShouldBe("length");
        final.GetProperty("eval_count").GetInt32().ShouldBe(5);
        final.GetProperty("prompt_eval_count").GetInt32().ShouldBeGreaterThan(0);
        final.GetProperty("total_duration").GetInt64().ShouldBeGreaterThanOrEqualTo(
            final.GetProperty("load_duration").GetInt64() + final.GetProperty("prompt_eval_duration").GetInt64() + final.GetProperty("eval_duration").GetInt64());
        final.GetProperty("model").GetString().ShouldBe("llama3.1:8b");
    }

    [Fact]
    public async Task Ollama_model_routes_list_the_model_and_refuse_other_names()
    {
        await using var host = LlmGpu("RTX 3090");

        var tags = await host.Client.GetFromJsonAsync<JsonElement>("/gpus/g/ollama/api/tags");
        var version = await host.Client.GetFromJsonAsync<JsonElement>("/gpus/g/ollama/api/version");
        using var unknown = await host.Client.PostAsync("/gpus/g/ollama/api/chat", Json(new { model = "mistral:7b", messages = new[] { new { role = "user", content = "hi" } } }));
        using var noModel = await host.Client.PostAsync("/gpus/g/ollama/api/chat", Json(new { messages = new[] { new { role = "user", content = "hi" } } }));

        var model = tags.GetProperty("models")[0];
        model.GetProperty("name").GetString().ShouldBe("llama3.1:8b");
        model.GetProperty("details").GetProperty("quantization_level").GetString().ShouldBe("Q4_K_M");
        model.GetProperty("details").GetProperty("parameter_size").GetString().ShouldBe("8.0B");
        version.GetProperty("version").GetString().ShouldNotBeNullOrEmpty();
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString().ShouldBe("model 'mistral:7b' not found");
        noModel.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await noModel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString().ShouldBe("model is required");
    }

    [Fact]
    public async Task Ollama_parallel_slots_serve_two_chats_at_once_with_the_batching_slowdown()
    {
        await using var host = SimulatorHost.Single(
            new() { ["profile"] = "RTX 4090", ["pipeline"] = "llm", ["modelId"] = Llama, ["parallelism"] = 2 }, timeScale: 0.2, noiseCv: 0);
        object Body() => new { model = "llama3.1:8b", stream = false, messages = new[] { new { role = "user", content = "hi" } }, options = new { num_predict = 200 } };

        var a = host.Client.PostAsync("/gpus/g/ollama/api/chat", Json(Body()));
        var b = host.Client.PostAsync("/gpus/g/ollama/api/chat", Json(Body()));
        var responses = await Task.WhenAll(a, b);

        var rates = new List<double>();
        foreach (var r in responses)
        {
            var body = await r.Content.ReadFromJsonAsync<JsonElement>();
            rates.Add(200 / (body.GetProperty("eval_duration").GetInt64() / 1e9));
        }

        // Alone a stream decodes at 130.6 tok/s; two at once share the GPU with a 1 + 0.0303 slowdown each. The two
        // requests overlap for most of their ~0.3 s of wall time, though not necessarily for all of it on a busy machine.
        // eval_duration sums 13 decode blocks kept in 100 ns ticks, so "never faster than alone" holds to about 2 µs in
        // 1.53 s (CI once read 130.60009).
        rates.ShouldAllBe(rate => rate <= 130.6 * (1 + 2e-6) && rate > 130.6 / 1.0303 - 0.5);
        rates.Min().ShouldBeLessThan(130.6 - 0.5, "at least one chat was slowed by sharing the GPU");
        (await host.StatusAsync()).JobsServed.ShouldBe(2);
    }

    internal static SimulatorHost LlmGpu(string profile, int seed = 42) => SimulatorHost.Single(
        new() { ["profile"] = profile, ["pipeline"] = "llm", ["modelId"] = Llama }, new VirtualTimeProvider(), seed: seed);
}
