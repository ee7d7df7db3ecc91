using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LivepeerAspire.Runner.Simulated.Tests.Support;
using static LivepeerAspire.Runner.Simulated.Tests.Support.Requests;

namespace LivepeerAspire.Runner.Simulated.Tests.Api;

/// <summary>Requests the real runner refuses get the real runner's status and body.</summary>
public class BadInputTests
{
    [Theory]
    [InlineData("""{"prompt":""}""", 400, "Prompt must be provided.")]
    [InlineData("""{"prompt":"x","model_id":"other/model"}""", 400, "pipeline configured with ByteDance/SDXL-Lightning but called with other/model.")]
    [InlineData("""{"prompt":"x","width":1001}""", 400, "`height` and `width` have to be divisible by 8 but are 576 and 1001.")]
    [InlineData("""{"prompt":"x","width":8192,"height":8192}""", 400, "`height` and `width` must be between 8 and 4096 but are 8192 and 8192.")]
    [InlineData("""{"prompt":"x","num_images_per_prompt":0}""", 400, "num_images_per_prompt must be between 1 and 16 but is 0.")]
    public async Task Text_to_image_refusals_carry_the_runner_message(string body, int status, string message)
    {
        await using var host = TextToImage();

        using var response = await host.Client.PostAsync("/gpus/g/text-to-image", Json(body));

        ((int)response.StatusCode).ShouldBe(status);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        (await DetailMessageAsync(response)).ShouldBe(message);
        (await host.StatusAsync()).JobsServed.ShouldBe(0);
    }

    [Theory]
    [InlineData("{not json", "json_invalid", "1")]
    [InlineData("", "missing", "body")]
    [InlineData("[1,2]", "model_attributes_type", "body")]
    [InlineData("""{"width":64}""", "missing", "prompt")]
    [InlineData("""{"prompt":"x","width":"wide"}""", "type_error", "width")]
    public async Task Malformed_bodies_get_a_fastapi_422(string body, string type, string location)
    {
        await using var host = TextToImage();

        using var response = await host.Client.PostAsync("/gpus/g/text-to-image", Json(body));

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var item = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail")[0];
        item.GetProperty("type").GetString().ShouldBe(type);
        item.GetProperty("loc").EnumerateArray().Last().ToString().ShouldBe(location);
        item.GetProperty("msg").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Image_to_video_refuses_sizes_that_are_not_multiples_of_8_missing_images_and_non_images()
    {
        await using var host = SimulatorHost.Single(new() { ["profile"] = "RTX 4090", ["pipeline"] = "image-to-video" }, new VirtualTimeProvider());

        using var size = await host.Client.PostAsync("/gpus/g/image-to-video", Form(SmallPng(), ("width", "1020"), ("height", "576")));
        using var missing = await host.Client.PostAsync("/gpus/g/image-to-video", Form(null, ("width", "1024")));
        using var notImage = await host.Client.PostAsync("/gpus/g/image-to-video", Form("hello, not an image"u8.ToArray()));
        using var badNumber = await host.Client.PostAsync("/gpus/g/image-to-video", Form(SmallPng(), ("fps", "six")));

        size.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await DetailMessageAsync(size)).ShouldContain("divisible by 8");
        missing.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await missing.Content.ReadAsStringAsync()).ShouldContain("\"loc\":[\"body\",\"image\"]");
        notImage.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        badNumber.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await badNumber.Content.ReadAsStringAsync()).ShouldContain("int_parsing");
    }

    [Fact]
    public async Task Llm_refusals_follow_the_runner()
    {
        await using var host = SimulatorHost.Single(new() { ["profile"] = "RTX 4090", ["pipeline"] = "llm", ["modelId"] = "meta-llama/Meta-Llama-3.1-8B-Instruct" }, new VirtualTimeProvider());

        using var mismatch = await host.Client.PostAsync("/gpus/g/llm", Json(Chat(model: "other")));
        using var missing = await host.Client.PostAsync("/gpus/g/llm", Json(new { max_tokens = 5 }));
        using var empty = await host.Client.PostAsync("/gpus/g/llm", Json(new { messages = Array.Empty<object>(), max_tokens = 5 }));
        using var role = await host.Client.PostAsync("/gpus/g/llm", Json(new { messages = new[] { new { role = "wizard", content = "x" } }, max_tokens = 5, stream = true }));
        using var overflow = await host.Client.PostAsync("/gpus/g/llm", Json(Chat(new string('x', 40_000), maxTokens: 10)));

        mismatch.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await DetailMessageAsync(mismatch)).ShouldBe("pipeline configured with meta-llama/Meta-Llama-3.1-8B-Instruct but called with other");
        missing.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        foreach (var r in new[] { empty, role, overflow })
        {
            r.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
            (await DetailMessageAsync(r)).ShouldBe("Internal server error during LLM processing.");
        }
    }

    [Fact]
    public async Task Unknown_gpus_and_routes_of_other_pipelines_are_404()
    {
        await using var host = TextToImage();

        using var unknown = await host.Client.PostAsync("/gpus/nope/text-to-image", Json(new { prompt = "x" }));
        using var otherPipeline = await host.Client.PostAsync("/gpus/g/llm", Json(Chat()));
        using var ollama = await host.Client.GetAsync("/gpus/g/ollama/api/tags");

        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await DetailMessageAsync(unknown)).ShouldContain("unknown GPU 'nope'");
        otherPipeline.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await otherPipeline.Content.ReadAsStringAsync()).ShouldBe("""{"detail":"Not Found"}""");
        ollama.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_configured_token_is_required_as_a_bearer_token()
    {
        await using var host = SimulatorHost.Single(
            new() { ["profile"] = "RTX 4090", ["pipeline"] = "text-to-image", ["authToken"] = "s3cret" }, new VirtualTimeProvider());

        using var without = await host.Client.PostAsync("/gpus/g/text-to-image", Json(new { prompt = "x", width = 64, height = 64 }));
        var request = new HttpRequestMessage(HttpMethod.Post, "/gpus/g/text-to-image") { Content = Json(new { prompt = "x", width = 64, height = 64 }) };
        request.Headers.Authorization = new("Bearer", "s3cret");
        using var with = await host.Client.SendAsync(request);

        without.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        without.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
        (await DetailMessageAsync(without)).ShouldBe("Invalid bearer token.");
        with.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_base_url_with_a_trailing_slash_joined_to_a_route_still_reaches_the_gpu()
    {
        await using var host = TextToImage();

        using var doubled = await host.Client.PostAsync("/gpus/g//text-to-image", Json(new { prompt = "x", width = 64, height = 64 }));
        using var trailing = await host.Client.GetAsync("/gpus/g/health/");

        doubled.StatusCode.ShouldBe(HttpStatusCode.OK);
        trailing.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static SimulatorHost TextToImage() => SimulatorHost.Single(
        new() { ["profile"] = "RTX 4090", ["pipeline"] = "text-to-image", ["modelId"] = "ByteDance/SDXL-Lightning" }, new VirtualTimeProvider());
}
