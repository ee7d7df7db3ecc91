using System.Net;
using System.Text;
using System.Text.Json;
using LivepeerAspire.Gateway.Api;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Pipelines;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Tests.Api;

/// <summary>Prefer: respond-async on /image-to-video and /image-to-video/result, through the real gateway and fake orchestrators.</summary>
public sealed class AsyncImageToVideoTests
{
    private static readonly TimeSpan PollLimit = TimeSpan.FromSeconds(20);

    private static byte[] Png => Convert.FromBase64String(FakeOrchestrator.PngDataUrl.Split(',')[1]);

    private static Task<GatewayHost> StartAsync(Dictionary<string, string?>? settings = null) =>
        GatewayHost.StartAsync(
            2,
            _ => [new FakeModel(PipelineCatalog.ImageToVideo, "stabilityai/svd-custom"), new FakeModel(PipelineCatalog.TextToImage, PipelineCatalog.TextToImage.DefaultModelId)],
            settings);

    private static HttpRequestMessage ImageToVideo(string? prefer, byte[]? image = null)
    {
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(image ?? Png), "image", "upload.png" },
            { new StringContent(""), "model_id" },
            { new StringContent("64"), "height" },
            { new StringContent("64"), "width" },
        };
        var request = new HttpRequestMessage(HttpMethod.Post, "/image-to-video") { Content = form };
        if (prefer is not null)
        {
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
        }

        return request;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Json, HttpResponseMessage Response)> SendAsync(GatewayHost gw, HttpRequestMessage request)
    {
        var response = await gw.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json", text);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement, response);
    }

    private static async Task<string> AcceptedIdAsync(GatewayHost gw, string prefer = "respond-async")
    {
        var (status, json, response) = await SendAsync(gw, ImageToVideo(prefer));
        status.ShouldBe(HttpStatusCode.Accepted, json.GetRawText());
        response.Headers.GetValues("Preference-Applied").ShouldBe(["respond-async"]);
        var id = json.GetProperty("request_id").GetString();
        id.ShouldNotBeNullOrWhiteSpace();
        return id!;
    }

    private static Task<(HttpStatusCode Status, JsonElement Json, HttpResponseMessage Response)> ResultAsync(GatewayHost gw, string body) =>
        SendAsync(gw, new HttpRequestMessage(HttpMethod.Post, AsyncJobsApi.ResultRoute) { Content = new StringContent(body, Encoding.UTF8, "application/json") });

    private static Task<(HttpStatusCode Status, JsonElement Json, HttpResponseMessage Response)> ResultForAsync(GatewayHost gw, string id) =>
        ResultAsync(gw, JsonSerializer.Serialize(new { request_id = id }));

    private static void ShouldBeProcessing((HttpStatusCode Status, JsonElement Json, HttpResponseMessage Response) answer)
    {
        answer.Status.ShouldBe(HttpStatusCode.Accepted, answer.Json.GetRawText());
        answer.Json.GetProperty("status").GetString().ShouldBe("processing");
        answer.Json.TryGetProperty("result", out _).ShouldBeFalse();
    }

    /// <summary>Polls the result route (bounded); every answer before the last must be a well-formed "processing".</summary>
    private static async Task<JsonElement> CompletedResultAsync(GatewayHost gw, string id)
    {
        using var limit = new CancellationTokenSource(PollLimit);
        while (true)
        {
            var answer = await ResultForAsync(gw, id);
            if (answer.Status == HttpStatusCode.OK)
            {
                answer.Json.GetProperty("status").GetString().ShouldBe("complete");
                return answer.Json.GetProperty("result");
            }

            ShouldBeProcessing(answer);
            await Task.Delay(25, limit.Token);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var limit = new CancellationTokenSource(PollLimit);
        while (!condition())
        {
            limit.IsCancellationRequested.ShouldBeFalse($"timed out waiting until {what}");
            await Task.Delay(10);
        }
    }

    private static int JobsAt(GatewayHost gw) => gw.Orchestrators.Sum(o => o.Requests.Count(r => r.Route == "/image-to-video"));

    private static async Task<string> LivepeerErrorAsync((HttpStatusCode Status, JsonElement Json, HttpResponseMessage Response) answer, HttpStatusCode expected)
    {
        answer.Status.ShouldBe(expected, answer.Json.GetRawText());
        var msg = answer.Json.GetProperty("detail").GetProperty("msg").GetString();
        msg.ShouldNotBeNullOrWhiteSpace();
        return msg!;
    }

    [Fact]
    public async Task Accepts_at_once_reports_processing_then_completes_with_the_body_the_sync_call_returns()
    {
        await using var gw = await StartAsync();
        var (syncStatus, sync, _) = await SendAsync(gw, ImageToVideo(prefer: null));
        syncStatus.ShouldBe(HttpStatusCode.OK, sync.GetRawText());

        foreach (var o in gw.Orchestrators)
        {
            o.Delay = TimeSpan.FromSeconds(2);
        }

        var before = JobsAt(gw);
        var id = await AcceptedIdAsync(gw);

        // The 202 came back while the orchestrator still holds the job; the job outlives that request.
        await WaitUntilAsync(() => JobsAt(gw) > before, "the orchestrator received the job");
        ShouldBeProcessing(await ResultForAsync(gw, id));

        var result = await CompletedResultAsync(gw, id);
        result.TryGetProperty("error", out _).ShouldBeFalse(result.GetRawText());
        result.GetProperty("images").GetRawText().ShouldBe(sync.GetProperty("images").GetRawText());
        result.GetProperty("images").GetArrayLength().ShouldBe(2);

        // A finished result can be read again until it expires.
        (await ResultForAsync(gw, id)).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_job_every_orchestrator_fails_completes_with_its_error_and_no_images()
    {
        await using var gw = await StartAsync();
        foreach (var o in gw.Orchestrators)
        {
            o.Mode = FakeMode.Error;
        }

        var id = await AcceptedIdAsync(gw);
        var result = await CompletedResultAsync(gw, id);
        result.TryGetProperty("images", out _).ShouldBeFalse(result.GetRawText());
        var msg = result.GetProperty("error").GetProperty("msg").GetString();
        msg.ShouldNotBeNullOrWhiteSpace();
        msg.ShouldContain("already failed this request");
        foreach (var o in gw.Orchestrators)
        {
            msg.ShouldContain(o.Url.TrimEnd('/'));
        }

        // The same error the synchronous call gives, there as a 503.
        var sync = await LivepeerErrorAsync(await SendAsync(gw, ImageToVideo(prefer: null)), HttpStatusCode.ServiceUnavailable);
        sync.ShouldStartWith(msg[..msg.IndexOf(';', StringComparison.Ordinal)]);
    }

    [Fact]
    public async Task Shutdown_stops_a_running_job_and_reports_it()
    {
        await using var gw = await StartAsync();
        foreach (var o in gw.Orchestrators)
        {
            o.Mode = FakeMode.Hang;
        }

        var id = await AcceptedIdAsync(gw);
        await WaitUntilAsync(() => JobsAt(gw) > 0, "the orchestrator holds the job");
        ShouldBeProcessing(await ResultForAsync(gw, id));
        gw.Get<AsyncJobs>().Pending.ShouldBe(1);

        using var stop = new CancellationTokenSource(PollLimit);
        await gw.Get<AsyncJobs>().StopAsync(stop.Token);

        var (status, json, _) = await ResultForAsync(gw, id);
        status.ShouldBe(HttpStatusCode.OK, json.GetRawText());
        json.GetProperty("result").GetProperty("error").GetProperty("msg").GetString().ShouldBe(AsyncJobs.ShutdownMessage);
        gw.Get<AsyncJobs>().Pending.ShouldBe(0);
        await LivepeerErrorAsync(await SendAsync(gw, ImageToVideo("respond-async")), HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task Too_many_pending_jobs_get_503_with_retry_after()
    {
        await using var gw = await StartAsync(new() { ["AsyncJobs:MaxPending"] = "1" });
        foreach (var o in gw.Orchestrators)
        {
            o.Mode = FakeMode.Hang;
        }

        await AcceptedIdAsync(gw);
        var refused = await SendAsync(gw, ImageToVideo("respond-async"));
        (await LivepeerErrorAsync(refused, HttpStatusCode.ServiceUnavailable)).ShouldContain("AsyncJobs:MaxPending");
        refused.Response.Headers.RetryAfter.ShouldNotBeNull();
        gw.Get<AsyncJobs>().Pending.ShouldBe(1);
    }

    [Fact]
    public async Task A_bad_image_is_refused_before_any_202()
    {
        await using var gw = await StartAsync();
        var answer = await SendAsync(gw, ImageToVideo("respond-async", Encoding.UTF8.GetBytes("%PDF-1.7 not an image")));
        (await LivepeerErrorAsync(answer, HttpStatusCode.BadRequest)).ShouldContain("not a PNG");
        gw.Get<AsyncJobs>().Pending.ShouldBe(0);
        JobsAt(gw).ShouldBe(0);
    }

    [Fact]
    public async Task Prefer_is_read_as_RFC_7240_preferences()
    {
        await using var gw = await StartAsync();
        var id = await AcceptedIdAsync(gw, "wait=10, Respond-Async");
        (await CompletedResultAsync(gw, id)).GetProperty("images").GetArrayLength().ShouldBe(2);

        // Anything else is the synchronous call.
        var (status, json, _) = await SendAsync(gw, ImageToVideo("return=minimal"));
        status.ShouldBe(HttpStatusCode.OK, json.GetRawText());
        json.GetProperty("images").GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public async Task Other_pipelines_ignore_prefer_respond_async_and_answer_synchronously()
    {
        await using var gw = await StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "/text-to-image") { Content = FirstRoutesTests.Json(new { prompt = "a cat", model_id = "" }) };
        request.Headers.TryAddWithoutValidation("Prefer", "respond-async");
        var (status, json, response) = await SendAsync(gw, request);
        status.ShouldBe(HttpStatusCode.OK, json.GetRawText());
        json.GetProperty("images").GetArrayLength().ShouldBe(1);
        response.Headers.Contains("Preference-Applied").ShouldBeFalse();
        gw.Get<AsyncJobs>().Pending.ShouldBe(0);
    }

    [Theory]
    [InlineData("", "request body is required")]
    [InlineData("{\"request_id\":", "not valid JSON")]
    [InlineData("[\"abc\"]", "must be a JSON object")]
    [InlineData("{}", "request_id is required")]
    [InlineData("{\"request_id\":null}", "request_id is required")]
    [InlineData("{\"request_id\":\"\"}", "must not be empty")]
    [InlineData("{\"request_id\":\"  \"}", "must not be empty")]
    [InlineData("{\"request_id\":42}", "must be a string")]
    public async Task Bad_result_requests_get_400(string body, string reason)
    {
        await using var gw = await StartAsync();
        (await LivepeerErrorAsync(await ResultAsync(gw, body), HttpStatusCode.BadRequest)).ShouldContain(reason);
    }

    [Fact]
    public async Task A_result_request_without_any_content_gets_400()
    {
        await using var gw = await StartAsync();
        (await LivepeerErrorAsync(await SendAsync(gw, new HttpRequestMessage(HttpMethod.Post, AsyncJobsApi.ResultRoute)), HttpStatusCode.BadRequest)).ShouldContain("request body is required");
    }

    [Fact]
    public async Task An_unknown_request_id_gets_404()
    {
        await using var gw = await StartAsync();
        var msg = await LivepeerErrorAsync(await ResultForAsync(gw, "0123456789abcdef0123456789abcdef"), HttpStatusCode.NotFound);
        msg.ShouldContain("unknown request_id");
        msg.ShouldContain("AsyncJobs:ResultTtl");
    }

    [Theory]
    [InlineData("AsyncJobs:ResultTtl", "00:00:00")]
    [InlineData("AsyncJobs:ResultTtl", "-00:00:01")]
    [InlineData("AsyncJobs:MaxPending", "0")]
    [InlineData("AsyncJobs:MaxPending", "-3")]
    [InlineData("AsyncJobs:MaxResults", "0")]
    public async Task Bad_async_config_refuses_to_start_with_the_key(string key, string value)
    {
        var ex = await Should.ThrowAsync<OptionsValidationException>(async () =>
        {
            await using var host = await GatewayHost.StartAsync([], new() { [key] = value });
        });
        ex.Message.ShouldContain(key + " must be positive");
    }
}
