using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LivepeerAspire.Tests.Shared;

namespace LivepeerAspire.Orchestrator.Tests;

public sealed class ForwardingTests : IAsyncLifetime
{
    private FakeRunner _t2i = null!;
    private FakeRunner _llm = null!;
    private FakeRunner _i2v = null!;
    private OrchestratorHost _orch = null!;

    public async Task InitializeAsync()
    {
        _t2i = await FakeRunner.StartAsync("t2i");
        _llm = await FakeRunner.StartAsync("llm");
        _i2v = await FakeRunner.StartAsync("i2v");
        _orch = await OrchestratorHost.StartAsync($$"""
            [
              {"pipeline":"text-to-image","model_id":"stabilityai/sdxl-turbo","url":"{{_t2i.Url}}","capacity":1,"token":"t2i-secret"},
              {"pipeline":"llm","model_id":"meta-llama/Meta-Llama-3.1-8B-Instruct","url":"{{_llm.Url}}","capacity":1},
              {"pipeline":"image-to-video","model_id":"stabilityai/stable-video-diffusion-img2vid-xt-1-1","url":"{{_i2v.Url}}"},
              {"pipeline":"text-to-speech","model_id":"parler-tts/parler-tts-large-v1","url":"{{_i2v.Url}}"}
            ]
            """, new() { ["Orchestrator:MaxRequestBodyBytes"] = "4096" });
        await _orch.WaitReadyAsync();
    }

    public async Task DisposeAsync()
    {
        await _orch.DisposeAsync();
        await _i2v.DisposeAsync();
        await _llm.DisposeAsync();
        await _t2i.DisposeAsync();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private const string T2i = """{"model_id":"stabilityai/sdxl-turbo","prompt":"a lighthouse","height":64,"width":64}""";
    private const string LlmStream = """{"model":"","messages":[{"role":"user","content":"hi"}],"max_tokens":8,"stream":true}""";

    [Fact]
    public async Task Text_to_image_reaches_the_runner_unchanged_with_its_bearer_token_and_the_answer_comes_back()
    {
        var response = await _orch.Client.PostAsync("/text-to-image", Json(T2i));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        root.GetProperty("images")[0].GetProperty("seed").GetInt32().ShouldBe(7);
        _t2i.Jobs.TryDequeue(out var job).ShouldBeTrue();
        job.Route.ShouldBe("text-to-image");
        job.Authorization.ShouldBe("Bearer t2i-secret");
        Encoding.UTF8.GetString(job.Body).ShouldBe(T2i);
        job.ContentType.ShouldStartWith("application/json");
    }

    [Fact]
    public async Task Llm_stream_passes_through_event_by_event()
    {
        _llm.StreamGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var request = new HttpRequestMessage(HttpMethod.Post, "/llm") { Content = Json(LlmStream) };

        using var response = await _orch.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        // The runner is holding its second event until the gate opens: the first must already be here.
        var first = await reader.ReadLineAsync();
        first.ShouldBe("data: " + _llm.SseEvents[0]);
        _llm.StreamGate.SetResult();
        var rest = await reader.ReadToEndAsync();
        (first + "\n" + rest).ShouldBe(string.Concat(_llm.SseEvents.Select(e => $"data: {e}\n\n")));
    }

    [Fact]
    public async Task A_runner_that_closes_mid_stream_cuts_the_relay_so_the_gateway_sees_the_break()
    {
        _llm.BreakAfterFirstEvent = true;
        _llm.StreamGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var request = new HttpRequestMessage(HttpMethod.Post, "/llm") { Content = Json(LlmStream) };

        using var response = await _orch.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync()).ShouldBe("data: " + _llm.SseEvents[0]);
        _llm.StreamGate.SetResult();
        // A clean end here would read as a short but complete answer; the gateway must see a broken stream instead,
        // which it ends towards its client with an error chunk.
        await Should.ThrowAsync<IOException>(() => reader.ReadToEndAsync());

        // The client can see the cut before the orchestrator's handler has unwound and given the slot back.
        var inUse = -1;
        for (var i = 0; i < 200 && inUse != 0; i++)
        {
            var status = JsonDocument.Parse(await _orch.Client.GetStringAsync("/status")).RootElement;
            inUse = status.GetProperty("models").EnumerateArray().Sum(m => m.GetProperty("inUse").GetInt32());
            if (inUse != 0)
            {
                await Task.Delay(50);
            }
        }

        inUse.ShouldBe(0, "the broken stream's runner slot must be given back");
    }

    [Fact]
    public async Task Llm_without_stream_returns_the_runner_json()
    {
        var response = await _orch.Client.PostAsync("/llm", Json("""{"model":"meta-llama/Meta-Llama-3.1-8B-Instruct","messages":[{"role":"user","content":"hi"}],"max_tokens":8}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString().ShouldBe("Hi!");
    }

    [Fact]
    public async Task At_capacity_the_answer_is_503_insufficient_capacity_and_the_runner_never_sees_the_job()
    {
        _t2i.JobGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = _orch.Client.PostAsync("/text-to-image", Json(T2i));
        (await _t2i.JobArrived.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue();

        var second = await _orch.Client.PostAsync("/text-to-image", Json(T2i));

        second.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await Errors.DetailAsync(second)).ShouldBe("insufficient capacity");
        _t2i.Jobs.Count.ShouldBe(1);

        _t2i.JobGate.SetResult();
        (await first).StatusCode.ShouldBe(HttpStatusCode.OK);
        _t2i.JobGate = null;
        (await _orch.Client.PostAsync("/text-to-image", Json(T2i))).StatusCode.ShouldBe(HttpStatusCode.OK, "the slot is released after the answer");
        _t2i.Jobs.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Capacity_is_per_model_so_a_busy_text_to_image_does_not_block_llm()
    {
        _t2i.JobGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = _orch.Client.PostAsync("/text-to-image", Json(T2i));
        (await _t2i.JobArrived.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue();

        var llm = await _orch.Client.PostAsync("/llm", Json("""{"model":"","messages":[{"role":"user","content":"hi"}],"max_tokens":8}"""));

        llm.StatusCode.ShouldBe(HttpStatusCode.OK);
        _t2i.JobGate.SetResult();
        (await held).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task In_use_capacity_shows_in_get_orchestrator_and_status_while_a_job_runs()
    {
        _t2i.JobGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = _orch.Client.PostAsync("/text-to-image", Json(T2i));
        (await _t2i.JobArrived.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue();

        var status = JsonDocument.Parse(await _orch.Client.GetStringAsync("/status")).RootElement;

        status.GetProperty("models")[0].GetProperty("inUse").GetInt32().ShouldBe(1);
        _t2i.JobGate.SetResult();
        (await held).StatusCode.ShouldBe(HttpStatusCode.OK);
        var after = JsonDocument.Parse(await _orch.Client.GetStringAsync("/status")).RootElement;
        after.GetProperty("models")[0].GetProperty("inUse").GetInt32().ShouldBe(0);
        after.GetProperty("jobsServed").GetInt64().ShouldBe(1);
        after.GetProperty("models")[0].GetProperty("jobsServed").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task An_image_upload_is_forwarded_as_multipart()
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(TestMedia.Png(256, 144)), "image", "in.png");
        form.Add(new StringContent(""), "model_id");

        var response = await _orch.Client.PostAsync("/image-to-video", form);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        _i2v.Jobs.TryDequeue(out var job).ShouldBeTrue();
        job.ContentType.ShouldStartWith("multipart/form-data; boundary=");
    }

    [Fact]
    public async Task A_runner_error_in_json_passes_through_with_its_status()
    {
        _t2i.JobFailure = (400, "application/json", """{"detail":{"msg":"Prompt must be provided."}}""");

        var response = await _orch.Client.PostAsync("/text-to-image", Json(T2i));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Errors.DetailAsync(response)).ShouldBe("Prompt must be provided.");
        JsonDocument.Parse(await _orch.Client.GetStringAsync("/status")).RootElement.GetProperty("jobsFailed").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task A_runner_error_in_plain_text_is_wrapped_in_the_json_error_shape()
    {
        _t2i.JobFailure = (500, "text/plain", "boom\n");

        var response = await _orch.Client.PostAsync("/text-to-image", Json(T2i));

        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await Errors.DetailAsync(response)).ShouldContain("boom");
    }

    [Fact]
    public async Task A_runner_refusing_the_token_is_a_500_that_names_the_token()
    {
        _t2i.JobFailure = (401, "application/json", """{"detail":{"msg":"Invalid bearer token."}}""");

        var response = await _orch.Client.PostAsync("/text-to-image", Json(T2i));

        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await Errors.DetailAsync(response)).ShouldContain("bearer token");
    }

    [Fact]
    public async Task The_runner_never_sees_hop_by_hop_headers_or_the_gateways_livepeer_credentials()
    {
        using var request = HopByHopProbe.Request("/text-to-image", Json(T2i));
        request.Headers.Remove("Livepeer-Segment"); // checked here (a forged one is a 403), so only the payment goes along
        var response = await _orch.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        HopByHopProbe.ShouldHaveForwardedNone(_t2i.LastJobHeaders);
        _t2i.LastJobHeaders.Keys.ShouldNotContain(k => k.StartsWith("livepeer-", StringComparison.Ordinal));
        _t2i.LastJobHeaders["authorization"].ShouldBe("Bearer t2i-secret", "the runner gets its own token, never the caller's");
    }

    [Fact]
    public async Task A_caller_that_disconnects_mid_upload_frees_the_slot_and_the_runner_never_sees_the_job()
    {
        using (var client = new HttpClient { BaseAddress = _orch.Client.BaseAddress })
        {
            await Should.ThrowAsync<HttpRequestException>(() => client.PostAsync("/text-to-image", new BrokenUpload(Encoding.UTF8.GetBytes(T2i))));
        }

        // Capacity 1: the next job gets the slot only if the abandoned one never held it or gave it back.
        var response = await _orch.Client.PostAsync("/text-to-image", Json(T2i));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        _t2i.Jobs.Count.ShouldBe(1, "only the complete job reached the runner");
        var status = JsonDocument.Parse(await _orch.Client.GetStringAsync("/status")).RootElement;
        status.GetProperty("models")[0].GetProperty("inUse").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task An_unreachable_runner_is_a_502_and_the_slot_is_released()
    {
        await _t2i.DisposeAsync();

        var response = await _orch.Client.PostAsync("/text-to-image", Json(T2i));

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        (await Errors.DetailAsync(response)).ShouldContain("unreachable");
        var status = JsonDocument.Parse(await _orch.Client.GetStringAsync("/status")).RootElement;
        status.GetProperty("models")[0].GetProperty("inUse").GetInt32().ShouldBe(0);
    }

    [Theory]
    [InlineData("/text-to-image", "{\"prompt\":", "malformed JSON")]
    [InlineData("/text-to-image", "[1]", "JSON object")]
    [InlineData("/text-to-image", """{"model_id":"stabilityai/sdxl-turbo"}""", "prompt is required")]
    [InlineData("/text-to-image", """{"prompt":"x","height":-5}""", "height must be between 1 and 4096 (got -5)")]
    [InlineData("/text-to-image", """{"prompt":"x","model_id":"nope/model"}""", "model 'nope/model' is not served for text-to-image by this orchestrator; served: stabilityai/sdxl-turbo")]
    [InlineData("/llm", """{"model":"","messages":[{"role":"user","content":"hi"}],"stream":false}""", "MaxTokens not specified")]
    [InlineData("/llm", """{"messages":[{"role":"user","content":"hi"}],"max_tokens":5}""", "model is required")]
    [InlineData("/llm", """{"model":"","messages":[],"max_tokens":5}""", "messages is required")]
    [InlineData("/llm", """{"model":"","messages":[{"role":"user"}],"max_tokens":5}""", "string role and a string content")]
    [InlineData("/llm", """{"model":"","messages":[{"role":"user","content":"hi"}],"max_tokens":"lots"}""", "max_tokens must be an integer (got \"lots\")")]
    [InlineData("/upscale", """{"prompt":"x"}""", "this orchestrator serves no model for upscale")]
    [InlineData("/image-to-video", """{"image":"x"}""", "takes multipart/form-data")]
    [InlineData("/text-to-speech", """{"model_id":""}""", "text is required")]
    public async Task Bad_json_input_is_a_400_that_says_what_is_wrong_and_never_reaches_a_runner(string route, string body, string expected)
    {
        var response = await _orch.Client.PostAsync(route, Json(body));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Errors.DetailAsync(response)).ShouldContain(expected);
        (_t2i.Jobs.Count + _llm.Jobs.Count + _i2v.Jobs.Count).ShouldBe(0);
    }

    [Fact]
    public async Task A_non_image_upload_is_a_400()
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent("GIF? no, a text file"u8.ToArray()), "image", "cat.png");

        var response = await _orch.Client.PostAsync("/image-to-video", form);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Errors.DetailAsync(response)).ShouldContain("image: not a PNG, JPEG, GIF or WebP image");
        _i2v.Jobs.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_multipart_job_without_its_image_is_a_400()
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("x"), "prompt");

        var response = await _orch.Client.PostAsync("/image-to-video", form);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Errors.DetailAsync(response)).ShouldContain("image is required");
    }

    [Fact]
    public async Task A_broken_multipart_body_is_a_400()
    {
        var content = new StringContent("--b\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nabc");
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");

        var response = await _orch.Client.PostAsync("/image-to-video", content);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Errors.DetailAsync(response)).ShouldContain("multipart");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_oversized_body_is_a_413_whether_or_not_it_declares_its_length(bool declared)
    {
        var big = "{\"prompt\":\"x\",\"pad\":\"" + new string('a', 10_000) + "\"}";
        HttpContent content = declared
            ? Json(big)
            : new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        if (!declared)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        var request = new HttpRequestMessage(HttpMethod.Post, "/text-to-image") { Content = content };
        if (!declared)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        var response = await _orch.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await Errors.DetailAsync(response)).ShouldContain("Orchestrator:MaxRequestBodyBytes");
        _t2i.Jobs.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_json_error()
    {
        var response = await _orch.Client.PostAsync("/text-to-banana", Json("{}"));

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Errors.DetailAsync(response)).ShouldContain("/text-to-image");
    }

    [Fact]
    public async Task The_orchestrator_keeps_serving_after_bad_input()
    {
        for (var i = 0; i < 5; i++)
        {
            (await _orch.Client.PostAsync("/llm", Json("{not json"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }

        (await _orch.Client.PostAsync("/text-to-image", Json(T2i))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
