using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Pipelines;
using OpenAI;
using OpenAI.Chat;

namespace LivepeerAspire.Gateway.Tests.Api;

public sealed class PipelineRoutesTests : IAsyncLifetime
{
    private const string Llama = "meta-llama/llama-3.1-8B-Instruct";
    private GatewayHost gw = null!;

    public async Task InitializeAsync() =>
        gw = await GatewayHost.StartAsync(2, i => PipelineCatalog.All.Select(p => new FakeModel(p, p == PipelineCatalog.ImageToVideo ? "stabilityai/svd-custom" : p.DefaultModelId, Warm: i == 0)).ToArray());

    public async Task DisposeAsync() => await gw.DisposeAsync();

    private static byte[] Png => Convert.FromBase64String(FakeOrchestrator.PngDataUrl.Split(',')[1]);

    private static MultipartFormDataContent Form(string fileField, byte[] file, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(file), fileField, "upload.bin" } };
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return form;
    }

    private async Task<JsonElement> OkJson(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        return JsonDocument.Parse(text).RootElement;
    }

    private (string ContentType, string Body) LastRequest(string route)
    {
        var request = gw.Orchestrators.SelectMany(o => o.Requests).Last(r => r.Route == route);
        return (request.ContentType, Encoding.UTF8.GetString(request.Body));
    }

    [Fact]
    public async Task Image_to_video_turns_runner_frames_into_images_and_falls_back_to_a_served_model()
    {
        var json = await OkJson(await gw.Client.PostAsync("/image-to-video", Form("image", Png, ("model_id", ""), ("height", "64"), ("width", "64"))));
        json.TryGetProperty("frames", out _).ShouldBeFalse();
        json.GetProperty("images").GetArrayLength().ShouldBe(2);
        var (contentType, body) = LastRequest("/image-to-video");
        contentType.ShouldStartWith("multipart/form-data; boundary=");
        body.ShouldContain("stabilityai/svd-custom");
        body.ShouldContain("name=\"image\"");
    }

    [Theory]
    [InlineData("/image-to-image", "images")]
    [InlineData("/upscale", "images")]
    [InlineData("/segment-anything-2", "masks")]
    [InlineData("/image-to-text", "text")]
    public async Task Image_upload_pipelines_pass_the_upload_through(string route, string field)
    {
        var json = await OkJson(await gw.Client.PostAsync(route, Form("image", Png, ("prompt", "sharper"))));
        json.TryGetProperty(field, out _).ShouldBeTrue();
        gw.Orchestrators.SelectMany(o => o.Requests).Last(r => r.Route == route).Body.AsSpan().IndexOf(Png).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Audio_to_text_and_text_to_speech_answer()
    {
        (await OkJson(await gw.Client.PostAsync("/audio-to-text", Form("audio", LivepeerAspire.Tests.Shared.TestAudio.Encode("mp3", 2))))).GetProperty("text").GetString().ShouldBe("hello");
        (await OkJson(await gw.Client.PostAsync("/text-to-speech", FirstRoutesTests.Json(new { text = "hello", model_id = "" })))).GetProperty("audio").GetProperty("url").GetString()!.ShouldStartWith("data:audio");
    }

    [Fact]
    public async Task Official_openai_client_works_for_stream_and_non_stream()
    {
        var client = new ChatClient(Llama, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(gw.BaseAddress, "v1") });
        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("hi")]);
        completion.Content[0].Text.ShouldStartWith("Hello from");
        completion.FinishReason.ShouldBe(ChatFinishReason.Stop);
        completion.Usage.TotalTokenCount.ShouldBe(6);

        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
        }

        text.ToString().ShouldStartWith("Hello from");
        finish.ShouldBe(ChatFinishReason.Stop);
    }

    [Fact]
    public async Task Models_lists_the_llm_models_the_network_serves()
    {
        var json = JsonDocument.Parse(await gw.Client.GetStringAsync("/v1/models")).RootElement;
        json.GetProperty("object").GetString().ShouldBe("list");
        json.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ShouldBe([Llama]);
    }

    [Fact]
    public async Task Observability_endpoints_report_pools_metrics_and_stats()
    {
        for (var i = 0; i < 3; i++)
        {
            (await gw.Client.PostAsync("/text-to-image", FirstRoutesTests.Json(new { prompt = "x" }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var pools = JsonDocument.Parse(await gw.Client.GetStringAsync("/orchestrators")).RootElement.GetProperty("pools");
        var t2i = pools.EnumerateArray().Single(p => p.GetProperty("pipeline").GetString() == "text-to-image");
        t2i.GetProperty("warm").GetArrayLength().ShouldBe(1);
        t2i.GetProperty("cold").GetArrayLength().ShouldBe(1);
        var warm = t2i.GetProperty("warm")[0];
        warm.GetProperty("ewma_samples").GetInt32().ShouldBe(3);
        warm.GetProperty("latency_score").GetDouble().ShouldBeGreaterThan(0);
        warm.GetProperty("in_flight").GetInt32().ShouldBe(0);

        var metrics = await gw.Client.GetStringAsync("/metrics");
        metrics.ShouldContain($"livepeer_gateway_requests_total{{pipeline=\"text-to-image\",status=\"200\",orchestrator=\"{gw.Orchestrators[0].Key}\"}} 3");
        metrics.ShouldContain("livepeer_gateway_request_duration_seconds_count{pipeline=\"text-to-image\"} 3");

        var stats = JsonDocument.Parse(await gw.Client.GetStringAsync("/stats")).RootElement;
        stats.GetProperty("requests").GetInt64().ShouldBeGreaterThanOrEqualTo(3);
        stats.GetProperty("pipelines").GetProperty("text-to-image").GetProperty("requests").GetInt64().ShouldBe(3);
        stats.GetProperty("orchestrators").GetProperty(gw.Orchestrators[0].Key).GetInt64().ShouldBeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public async Task Streamed_llm_records_time_to_first_token()
    {
        var response = await gw.Client.PostAsync("/llm", FirstRoutesTests.Json(new { model = "", messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 8, stream = true }));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        await response.Content.ReadAsStringAsync();
        (await gw.Client.GetStringAsync("/metrics")).ShouldContain("livepeer_gateway_ttft_seconds_count{pipeline=\"llm\"} 1");
    }
}
