using System.Net;
using LivepeerAspire.Network.Tests.Support;
using LivepeerAspire.Protocol.Media;
using static LivepeerAspire.Network.Tests.Support.GatewayResponses;

namespace LivepeerAspire.Network.Tests.Pipelines;

/// <summary>Bad input gets a 4xx with a JSON error that says what to fix, and the network keeps serving.</summary>
[Collection(PipelinesNetwork.Name)]
public sealed class BadInputTests(PipelinesNetworkFixture network)
{
    [Theory]
    [InlineData("/text-to-image", "{\"prompt\": \"unterminated")]
    [InlineData("/llm", "[1, 2")]
    [InlineData("/text-to-speech", "not json at all")]
    public async Task Malformed_json_is_a_400_that_says_so(string route, string body)
    {
        using var client = network.CreateClient();
        using var response = await client.PostAsync(route, Json(body));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.DetailMessageAsync()).ShouldContain("JSON", Case.Insensitive);
        await ShouldStillServeAsync(client);
    }

    [Theory]
    [InlineData("""{"model":"","messages":[{"role":"user","content":"hi"}],"stream":false}""")]
    [InlineData("""{"model":"","messages":[],"max_tokens":8,"stream":false}""")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"max_tokens":8,"stream":false}""")]
    [InlineData("""{"model":"","messages":[{"role":"user","content":"hi"}],"max_tokens":8}""")]
    public async Task Llm_without_its_required_fields_is_a_400(string body)
    {
        using var client = network.CreateClient();
        using var response = await client.PostAsync("/llm", Json(body));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.DetailMessageAsync()).ShouldContain("missing required fields");
    }

    [Fact]
    public async Task Unknown_pipeline_is_a_404_naming_the_known_ones()
    {
        using var client = network.CreateClient();
        using var response = await client.PostAsync("/text-to-3d", Json("""{"prompt":"a cube"}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.DetailMessageAsync()).ShouldContain("text-to-image");
    }

    [Fact]
    public async Task Unknown_model_is_a_404_listing_the_served_models()
    {
        using var client = network.CreateClient();
        using var response = await client.PostAsync("/text-to-image", Json("""{"model_id":"acme/imaginary-model","prompt":"x"}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var message = await response.DetailMessageAsync();
        message.ShouldContain("acme/imaginary-model");
        message.ShouldContain("SG161222/RealVisXL_V4.0_Lightning");
    }

    [Fact]
    public async Task Oversized_body_is_a_413()
    {
        using var client = network.CreateClient();
        var prompt = new string('x', 2 * 1024 * 1024);
        using var response = await client.PostAsync("/text-to-image", Json($$"""{"prompt":"{{prompt}}"}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.DetailMessageAsync()).ShouldContain("limit");
        await ShouldStillServeAsync(client);
    }

    [Fact]
    public async Task Non_image_upload_is_a_400()
    {
        using var client = network.CreateClient();
        using var response = await client.PostAsync("/image-to-video", Multipart("%PDF-1.7 not an image"u8.ToArray(), "image", "doc.pdf"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.DetailMessageAsync()).ShouldContain("image", Case.Insensitive);
    }

    [Fact]
    public async Task Image_to_video_size_that_is_not_a_multiple_of_8_gets_the_runners_400()
    {
        using var client = network.CreateClient();
        using var response = await client.PostAsync("/image-to-video", Multipart(SyntheticPng.Encode(64, 48, 1), "image", "in.png", ("width", "65"), ("height", "48")));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.DetailMessageAsync()).ShouldContain("8");
    }

    private static async Task ShouldStillServeAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/text-to-image", Json("""{"prompt":"still alive","width":64,"height":64}"""));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
