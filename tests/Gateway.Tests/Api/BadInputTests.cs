using System.Net;
using System.Text;
using System.Text.Json;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Tests.Shared;

namespace LivepeerAspire.Gateway.Tests.Api;

/// <summary>Every bad input gets a 4xx JSON error that says what is wrong, and the gateway keeps serving.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private const string Llama = "meta-llama/llama-3.1-8B-Instruct";
    private GatewayHost gw = null!;

    public async Task InitializeAsync() =>
        gw = await GatewayHost.StartAsync(
            1,
            _ => [new(PipelineCatalog.Llm, Llama), new(PipelineCatalog.TextToImage, "stabilityai/sdxl-turbo"), new(PipelineCatalog.ImageToVideo, "stabilityai/stable-video-diffusion-img2vid-xt-1-1")],
            new() { ["Limits:MaxJsonBytes"] = "4096", ["Limits:MaxMultipartBytes"] = "65536" });

    public async Task DisposeAsync() => await gw.DisposeAsync();

    private async Task<string> ExpectLivepeerError(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var msg = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetProperty("msg").GetString()!;
        msg.ShouldNotBeNullOrWhiteSpace();

        // Still serving.
        var ok = await gw.Client.PostAsync("/text-to-image", FirstRoutesTests.Json(new { prompt = "x", model_id = "" }));
        ok.StatusCode.ShouldBe(HttpStatusCode.OK);
        return msg;
    }

    private static StringContent Raw(string body, string type = "application/json") => new(body, Encoding.UTF8, type);

    [Fact]
    public async Task Malformed_json() =>
        (await ExpectLivepeerError(await gw.Client.PostAsync("/text-to-image", Raw("{\"prompt\": ")), HttpStatusCode.BadRequest)).ShouldContain("not valid JSON");

    [Fact]
    public async Task Json_that_is_not_an_object() =>
        (await ExpectLivepeerError(await gw.Client.PostAsync("/llm", Raw("[1,2]")), HttpStatusCode.BadRequest)).ShouldContain("JSON object");

    [Theory]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":5,\"stream\":false}", "model")]
    [InlineData("{\"model\":\"\",\"messages\":[],\"max_tokens\":5,\"stream\":false}", "messages")]
    [InlineData("{\"model\":\"\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false}", "max_tokens")]
    [InlineData("{\"model\":\"\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":5}", "stream")]
    public async Task Llm_missing_required_fields(string body, string field)
    {
        var msg = await ExpectLivepeerError(await gw.Client.PostAsync("/llm", Raw(body)), HttpStatusCode.BadRequest);
        msg.ShouldStartWith("missing required fields");
        msg.ShouldContain(field);
    }

    [Theory]
    [InlineData("{\"model\":\"\",\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"}],\"max_tokens\":5,\"stream\":false}", "role")]
    [InlineData("{\"model\":\"\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":0,\"stream\":false}", "max_tokens")]
    [InlineData("{\"model\":\"\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":\"many\",\"stream\":false}", "max_tokens")]
    [InlineData("{\"model\":\"\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":5,\"stream\":\"yes\"}", "stream")]
    public async Task Llm_wrong_field_values(string body, string field) =>
        (await ExpectLivepeerError(await gw.Client.PostAsync("/llm", Raw(body)), HttpStatusCode.BadRequest)).ShouldContain(field);

    [Fact]
    public async Task Text_to_image_without_prompt() =>
        (await ExpectLivepeerError(await gw.Client.PostAsync("/text-to-image", Raw("{\"model_id\":\"\"}")), HttpStatusCode.BadRequest)).ShouldContain("prompt");

    [Fact]
    public async Task Unknown_pipeline() =>
        (await ExpectLivepeerError(await gw.Client.PostAsync("/text-to-haiku", Raw("{}")), HttpStatusCode.NotFound)).ShouldContain("unknown pipeline");

    [Fact]
    public async Task Unknown_model_lists_what_is_served()
    {
        var msg = await ExpectLivepeerError(await gw.Client.PostAsync("/text-to-image", Raw("{\"prompt\":\"x\",\"model_id\":\"nobody/serves-this\"}")), HttpStatusCode.NotFound);
        msg.ShouldContain("nobody/serves-this");
        msg.ShouldContain("stabilityai/sdxl-turbo");
    }

    [Fact]
    public async Task Pipeline_that_no_orchestrator_serves() =>
        (await ExpectLivepeerError(await gw.Client.PostAsync("/text-to-speech", Raw("{\"text\":\"hi\",\"model_id\":\"\"}")), HttpStatusCode.ServiceUnavailable))
            .ShouldContain("no orchestrator serves text-to-speech");

    [Fact]
    public async Task Oversized_json_body() =>
        (await ExpectLivepeerError(await gw.Client.PostAsync("/text-to-image", Raw("{\"prompt\":\"" + new string('x', 5000) + "\"}")), HttpStatusCode.RequestEntityTooLarge))
            .ShouldContain("limit");

    [Fact]
    public async Task Oversized_upload()
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(new byte[70_000]), "image", "big.png" } };
        (await ExpectLivepeerError(await gw.Client.PostAsync("/image-to-video", form), HttpStatusCode.RequestEntityTooLarge)).ShouldContain("limit");
    }

    [Fact]
    public async Task Client_hop_by_hop_headers_and_livepeer_credentials_never_reach_the_orchestrator()
    {
        using var request = HopByHopProbe.Request("/text-to-image", FirstRoutesTests.Json(new { prompt = "x", model_id = "" }));
        var response = await gw.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var seen = gw.Orchestrators[0].Requests.ToArray()[^1].Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value);
        HopByHopProbe.ShouldHaveForwardedNone(seen);
        seen.Keys.ShouldNotContain("authorization", "the client's API key is for the gateway only");
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_upload_reaches_no_orchestrator_and_holds_no_slot()
    {
        var body = Encoding.UTF8.GetBytes("{\"prompt\":\"" + new string('x', 2000) + "\",\"model_id\":\"\"}");
        using (var client = new HttpClient { BaseAddress = gw.BaseAddress })
        {
            await Should.ThrowAsync<HttpRequestException>(() => client.PostAsync("/text-to-image", new BrokenUpload(body)));
        }

        var ok = await gw.Client.PostAsync("/text-to-image", FirstRoutesTests.Json(new { prompt = "x", model_id = "" }));
        ok.StatusCode.ShouldBe(HttpStatusCode.OK);
        ok.Headers.GetValues("Livepeer-Attempts").Single().ShouldBe("1", "the abandoned job left no busy slot to fail over from");
        gw.Orchestrators[0].JobCount.ShouldBe(1, "only the complete job was sent, so only it was paid for");
        gw.Get<LivepeerAspire.Gateway.Sessions.AiSessionManager>().SelectorFor(PipelineCatalog.TextToImage, "stabilityai/sdxl-turbo")
            .WarmPool.Sessions.ShouldAllBe(session => session.InFlight == 0);
    }

    [Fact]
    public async Task Non_image_upload()
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("%PDF-1.7 not an image")), "image", "doc.pdf" } };
        (await ExpectLivepeerError(await gw.Client.PostAsync("/image-to-video", form), HttpStatusCode.BadRequest)).ShouldContain("not a PNG");
    }

    [Fact]
    public async Task Missing_image_part()
    {
        var form = new MultipartFormDataContent { { new StringContent(""), "model_id" } };
        (await ExpectLivepeerError(await gw.Client.PostAsync("/image-to-video", form), HttpStatusCode.BadRequest)).ShouldContain("image is required");
    }

    [Fact]
    public async Task Json_sent_to_a_multipart_route() =>
        (await ExpectLivepeerError(await gw.Client.PostAsync("/image-to-video", Raw("{}")), HttpStatusCode.UnsupportedMediaType)).ShouldContain("multipart/form-data");

    [Fact]
    public async Task Non_integer_form_field()
    {
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Convert.FromBase64String(FakeOrchestrator.PngDataUrl.Split(',')[1])), "image", "a.png" },
            { new StringContent("tall"), "height" },
        };
        (await ExpectLivepeerError(await gw.Client.PostAsync("/image-to-video", form), HttpStatusCode.BadRequest)).ShouldContain("height must be an integer");
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-5")]
    [InlineData("999999999999")]
    public async Task Bad_deadline_header(string value)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/text-to-image") { Content = FirstRoutesTests.Json(new { prompt = "x" }) };
        request.Headers.Add("Livepeer-Deadline-Ms", value);
        (await ExpectLivepeerError(await gw.Client.SendAsync(request), HttpStatusCode.BadRequest)).ShouldContain("Livepeer-Deadline-Ms");
    }

    [Theory]
    [InlineData("{\"model\":\"x\",", "not valid JSON")]
    [InlineData("{\"model\":\"\",\"messages\":[]}", "messages")]
    [InlineData("{\"model\":\"\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}", "role")]
    [InlineData("{\"model\":\"\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}}]}]}", "text parts")]
    [InlineData("{\"model\":\"\",\"messages\":\"hi\"}", "invalid chat completion request")]
    public async Task OpenAi_bad_requests_use_the_openai_error_shape(string body, string expected)
    {
        var response = await gw.Client.PostAsync("/v1/chat/completions", Raw(body));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        error.GetProperty("type").GetString().ShouldBe("invalid_request_error");
        error.GetProperty("message").GetString()!.ShouldContain(expected);
    }

    [Fact]
    public async Task OpenAi_unknown_model_is_404_not_found_error()
    {
        var response = await gw.Client.PostAsync("/v1/chat/completions", Raw("{\"model\":\"gpt-9\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe("not_found_error");
    }

    [Theory]
    [InlineData("{\"strategy\":\"fastest\"}", "'fastest' is unknown")]
    [InlineData("{\"stake_weight\":0.9}", "sum to 1")]
    [InlineData("{\"colour\":\"blue\"}", "unknown selection setting")]
    [InlineData("not json", "not valid JSON")]
    public async Task Admin_rejects_bad_selection_changes(string body, string expected)
    {
        var response = await gw.Client.PutAsync("/admin/selection", Raw(body));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
        JsonDocument.Parse(text).RootElement.GetProperty("detail").GetProperty("msg").GetString()!.ShouldContain(expected, Case.Insensitive);
        JsonDocument.Parse(await gw.Client.GetStringAsync("/admin/selection")).RootElement.GetProperty("strategy").GetString().ShouldBe("round-robin");
    }

    [Fact]
    public async Task Admin_switches_strategy_and_weights_at_run_time()
    {
        var response = await gw.Client.PutAsync("/admin/selection", Raw("{\"strategy\":\"stake-price-latency\",\"stake_weight\":0.5,\"rand_weight\":0.5}"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var view = JsonDocument.Parse(await gw.Client.GetStringAsync("/admin/selection")).RootElement;
        view.GetProperty("strategy").GetString().ShouldBe("stake-price-latency");
        view.GetProperty("stake_weight").GetDouble().ShouldBe(0.5);
        (await gw.Client.PostAsync("/text-to-image", FirstRoutesTests.Json(new { prompt = "x" }))).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await gw.Client.PutAsync("/admin/selection", Raw("{\"strategy\":\"adaptive\"}"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        JsonDocument.Parse(await gw.Client.GetStringAsync("/stats")).RootElement.GetProperty("strategy").GetString().ShouldBe("adaptive");
    }

    [Fact]
    public async Task Unknown_v1_route_uses_openai_shape()
    {
        var response = await gw.Client.GetAsync("/v1/embeddings");
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe("not_found_error");
    }
}
