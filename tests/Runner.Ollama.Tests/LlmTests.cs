using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace LivepeerAspire.Runner.Ollama.Tests;

public sealed class LlmTests : IAsyncLifetime
{
    private FakeOllama _ollama = null!;
    private ShimHost _shim = null!;

    public async Task InitializeAsync()
    {
        _ollama = await FakeOllama.StartAsync();
        _shim = await ShimHost.StartAsync(_ollama.BaseUrl);
    }

    public async Task DisposeAsync()
    {
        await _shim.DisposeAsync();
        await _ollama.DisposeAsync();
    }

    private static object Request(bool stream, int? topK = -1) => new
    {
        model = "meta-llama/Meta-Llama-3.1-8B-Instruct",
        messages = new[] { new { role = "system", content = "be brief" }, new { role = "user", content = "hi" } },
        max_tokens = 42,
        stream,
        temperature = 0.3,
        top_p = 0.9,
        top_k = topK,
    };

    [Fact]
    public async Task Non_stream_answer_joins_the_chunks_and_takes_usage_from_ollama_counts()
    {
        _ollama.ChatLines = [FakeOllama.Line("Hel"), FakeOllama.Line("lo"), FakeOllama.Line("!"), FakeOllama.Final("stop", 7, 3)];

        var response = await _shim.Client.PostAsJsonAsync("/llm", Request(stream: false));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        root.GetProperty("model").GetString().ShouldBe("meta-llama/Meta-Llama-3.1-8B-Instruct");
        root.GetProperty("id").GetString().ShouldStartWith("chatcmpl-");
        root.GetProperty("created").GetInt64().ShouldBeGreaterThan(0);
        var choice = root.GetProperty("choices")[0];
        choice.GetProperty("message").GetProperty("content").GetString().ShouldBe("Hello!");
        choice.GetProperty("message").GetProperty("role").GetString().ShouldBe("assistant");
        choice.GetProperty("finish_reason").GetString().ShouldBe("stop");
        choice.TryGetProperty("delta", out _).ShouldBeFalse("null members are left out");
        var usage = root.GetProperty("usage");
        usage.GetProperty("prompt_tokens").GetInt32().ShouldBe(7);
        usage.GetProperty("completion_tokens").GetInt32().ShouldBe(3);
        usage.GetProperty("total_tokens").GetInt32().ShouldBe(10);
    }

    [Fact]
    public async Task The_ollama_request_carries_the_mapped_tag_and_the_translated_options()
    {
        _ollama.ChatLines = [FakeOllama.Line("x"), FakeOllama.Final("stop", 1, 1)];

        (await _shim.Client.PostAsJsonAsync("/llm", Request(stream: false))).EnsureSuccessStatusCode();

        _ollama.ChatRequests.TryDequeue(out var sent).ShouldBeTrue();
        var root = sent!.RootElement;
        root.GetProperty("model").GetString().ShouldBe("llama3.1:8b");
        root.GetProperty("stream").GetBoolean().ShouldBeTrue();
        root.GetProperty("keep_alive").GetInt64().ShouldBe(-1);
        root.GetProperty("messages").GetArrayLength().ShouldBe(2);
        root.GetProperty("messages")[0].GetProperty("role").GetString().ShouldBe("system");
        var options = root.GetProperty("options");
        options.GetProperty("num_predict").GetInt32().ShouldBe(42);
        options.GetProperty("temperature").GetDouble().ShouldBe(0.3);
        options.GetProperty("top_p").GetDouble().ShouldBe(0.9);
        options.TryGetProperty("top_k", out _).ShouldBeFalse("top_k -1 means disabled and is omitted");
    }

    [Fact]
    public async Task A_set_top_k_is_passed_to_ollama()
    {
        _ollama.ChatLines = [FakeOllama.Line("x"), FakeOllama.Final("stop", 1, 1)];

        (await _shim.Client.PostAsJsonAsync("/llm", Request(stream: false, topK: 5))).EnsureSuccessStatusCode();

        _ollama.ChatRequests.TryDequeue(out var sent).ShouldBeTrue();
        sent!.RootElement.GetProperty("options").GetProperty("top_k").GetInt32().ShouldBe(5);
    }

    [Fact]
    public async Task Stream_sends_one_event_per_chunk_then_a_final_chunk_with_finish_reason_then_done()
    {
        _ollama.ChatLines = [FakeOllama.Line("one "), FakeOllama.Line("two "), FakeOllama.Line("three"), FakeOllama.Final("length", 11, 3)];

        var response = await _shim.Client.PostAsJsonAsync("/llm", Request(stream: true));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        var body = await response.Content.ReadAsStringAsync();
        var data = SseReader.DataLines(body);
        data[^1].ShouldBe("[DONE]");
        var chunks = SseReader.Chunks(body);
        chunks.Count.ShouldBe(4);
        chunks.ShouldAllBe(c => c.GetProperty("choices").GetArrayLength() == 1);
        string.Concat(chunks.Select(c => c.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString()))
            .ShouldBe("one two three");
        chunks.Take(3).ShouldAllBe(c => c.GetProperty("choices")[0].GetProperty("finish_reason").GetString() == "");
        var last = chunks[^1];
        last.GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldBe("length");
        last.GetProperty("usage").GetProperty("prompt_tokens").GetInt32().ShouldBe(11);
        last.GetProperty("usage").GetProperty("completion_tokens").GetInt32().ShouldBe(3);
        last.GetProperty("usage").GetProperty("total_tokens").GetInt32().ShouldBe(14);
        chunks.Select(c => c.GetProperty("id").GetString()).Distinct().Count().ShouldBe(1);
    }

    [Fact]
    public async Task An_ollama_error_mid_stream_ends_the_stream_with_an_error_finish_reason_and_never_a_bare_error_line()
    {
        _ollama.ChatLines = [FakeOllama.Line("par"), FakeOllama.Line("tial"), FakeOllama.ErrorLine("CUDA error: out of memory")];

        var response = await _shim.Client.PostAsJsonAsync("/llm", Request(stream: true));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.Content.ReadAsStringAsync();
        var chunks = SseReader.Chunks(body);
        chunks.ShouldAllBe(c => c.GetProperty("choices").GetArrayLength() > 0);
        chunks.ShouldAllBe(c => !c.EnumerateObject().Any(p => p.Name == "error"));
        chunks.Count.ShouldBe(3);
        chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldBe("error");
        SseReader.DataLines(body)[^1].ShouldBe("[DONE]");
    }

    [Fact]
    public async Task A_stream_that_ends_without_a_done_line_also_ends_with_an_error_chunk()
    {
        _ollama.ChatLines = [FakeOllama.Line("cut")];

        var body = await (await _shim.Client.PostAsJsonAsync("/llm", Request(stream: true))).Content.ReadAsStringAsync();

        var chunks = SseReader.Chunks(body);
        chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldBe("error");
    }

    [Fact]
    public async Task An_ollama_error_mid_answer_without_streaming_is_a_500_runner_error()
    {
        _ollama.ChatLines = [FakeOllama.Line("par"), FakeOllama.ErrorLine("model runner crashed")];

        var response = await _shim.Client.PostAsJsonAsync("/llm", Request(stream: false));

        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        (await DetailAsync(response)).ShouldContain("model runner crashed");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_ollama_error_before_output_is_a_status_with_a_runner_error_not_a_stream(bool stream)
    {
        _ollama.ChatFailure = (404, "model 'llama3.1:8b' not found, try pulling it first");

        var response = await _shim.Client.PostAsJsonAsync("/llm", Request(stream));

        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        (await DetailAsync(response)).ShouldContain("not found");
    }

    [Fact]
    public async Task An_ollama_400_stays_a_400()
    {
        _ollama.ChatFailure = (400, "invalid options");

        var response = await _shim.Client.PostAsJsonAsync("/llm", Request(stream: false));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await DetailAsync(response)).ShouldContain("invalid options");
    }

    [Fact]
    public async Task An_unreachable_ollama_is_a_500_runner_error()
    {
        await using var gone = await FakeOllama.StartAsync();
        var url = gone.BaseUrl;
        await gone.DisposeAsync();
        await using var shim = await ShimHost.StartAsync(url);

        var response = await shim.Client.PostAsJsonAsync("/llm", Request(stream: true));

        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await DetailAsync(response)).ShouldContain("unreachable");
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"max_tokens":5}""", "model is required")]
    [InlineData("""{"model":"","max_tokens":5}""", "messages")]
    [InlineData("""{"model":"","messages":[],"max_tokens":5}""", "messages")]
    [InlineData("""{"model":"","messages":[{"role":"user","content":"hi"}]}""", "max_tokens is required")]
    [InlineData("""{"model":"","messages":[{"role":"user","content":"hi"}],"max_tokens":0}""", "max_tokens must be at least 1")]
    [InlineData("""{"model":"","messages":[{"role":"robot","content":"hi"}],"max_tokens":5}""", "role")]
    [InlineData("""{"model":"","messages":[{"role":"user"}],"max_tokens":5}""", "content")]
    [InlineData("""{"model":"","messages":[{"role":"user","content":"hi"}],"max_tokens":"5"}""", "max_tokens")]
    [InlineData("""{"model":"","messages":[{"role":"user","content":"hi"}],"max_tokens":5,"temperature":3}""", "temperature")]
    [InlineData("""{"model":"other/model","messages":[{"role":"user","content":"hi"}],"max_tokens":5}""", "pipeline configured with meta-llama/Meta-Llama-3.1-8B-Instruct but called with other/model")]
    [InlineData("""{"model":"", "messages":""", "malformed JSON")]
    [InlineData("""[1,2]""", "JSON object")]
    public async Task Bad_input_is_a_400_runner_error_and_never_reaches_ollama(string body, string expected)
    {
        var response = await _shim.Client.PostAsync("/llm", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        (await DetailAsync(response)).ShouldContain(expected);
        _ollama.ChatRequests.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("llama3.1:8b")]
    [InlineData("META-LLAMA/meta-llama-3.1-8b-instruct")]
    public async Task The_model_may_be_empty_the_hf_id_in_any_case_or_the_ollama_tag(string model)
    {
        _ollama.ChatLines = [FakeOllama.Line("ok"), FakeOllama.Final("stop", 1, 1)];

        var response = await _shim.Client.PostAsJsonAsync("/llm", new
        {
            model,
            messages = new[] { new { role = "user", content = "hi" } },
            max_tokens = 4,
        });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    internal static async Task<string> DetailAsync(HttpResponseMessage response)
    {
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return root.GetProperty("detail").GetProperty("msg").GetString()!;
    }
}
