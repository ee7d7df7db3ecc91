using System.Net;
using System.Text.Json;
using LivepeerAspire.Gateway.Observability;
using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Gateway.Tests.Api;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Progress;

namespace LivepeerAspire.Gateway.Tests.Progress;

/// <summary>Pay per progress through the real gateway against fake orchestrators that stream steps.</summary>
public sealed class ProgressGatewayTests
{
    private const string Model = "stabilityai/sdxl-turbo";
    private static readonly object Body = new { prompt = "a cat", model_id = Model };

    private static FakeModel[] Offering(int _) => [new(PipelineCatalog.TextToImage, Model, Progress: true)];

    private static Dictionary<string, string?> Settings(string enabled = "true") => new()
    {
        ["Progress:Enabled"] = enabled,
        ["Progress:ChunkSteps"] = "2",
        ["Progress:StallMinimum"] = "00:00:00.5",
    };

    private static bool InPool(GatewayHost gw, FakeOrchestrator fake) =>
        gw.Get<AiSessionManager>().SelectorFor(PipelineCatalog.TextToImage, Model).WarmPool.Contains(fake.Key);

    [Fact]
    public async Task A_job_pays_one_chunk_at_a_time_and_answers_the_plain_body()
    {
        await using var gw = await GatewayHost.StartAsync(1, Offering, Settings());
        var response = await gw.Client.PostAsync("/text-to-image", FirstRoutesTests.Json(Body));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("images").GetArrayLength().ShouldBe(1);
        var fake = gw.Orchestrators[0];
        var sent = fake.Requests.ShouldHaveSingleItem();
        sent.Headers[ProgressHeaders.Progress].ShouldBe("2");
        fake.ChunkPayments.Select(p => p.Chunk).ShouldBe([1, 2, 3, 4, 5]);
        fake.ChunkPayments.ShouldAllBe(p => p.Job == sent.Headers[ProgressHeaders.Job]);
    }

    [Fact]
    public async Task Without_the_opt_in_or_without_the_offer_the_job_is_plain_request_response()
    {
        await using (var gw = await GatewayHost.StartAsync(1, Offering, Settings("false")))
        {
            (await gw.Client.PostAsync("/text-to-image", FirstRoutesTests.Json(Body))).StatusCode.ShouldBe(HttpStatusCode.OK);
            gw.Orchestrators[0].Requests.ShouldHaveSingleItem().Headers.ShouldNotContainKey(ProgressHeaders.Progress);
        }

        await using (var gw = await GatewayHost.StartAsync(1, _ => [new(PipelineCatalog.TextToImage, Model)], Settings()))
        {
            (await gw.Client.PostAsync("/text-to-image", FirstRoutesTests.Json(Body))).StatusCode.ShouldBe(HttpStatusCode.OK);
            gw.Orchestrators[0].Requests.ShouldHaveSingleItem().Headers.ShouldNotContainKey(ProgressHeaders.Progress);
            gw.Orchestrators[0].ChunkPayments.ShouldBeEmpty();
        }
    }

    [Theory]
    [InlineData("backwards")]
    [InlineData("beyond")]
    [InlineData("stops")]
    public async Task Bad_progress_abandons_the_attempt_suspends_the_orchestrator_and_the_job_fails_over(string fault)
    {
        await using var gw = await GatewayHost.StartAsync(2, Offering, Settings());
        var (bad, good) = (gw.Orchestrators[0], gw.Orchestrators[1]);
        switch (fault)
        {
            case "backwards":
                bad.ProgressSteps = [0, 1, 2, 3, 2];
                break;
            case "beyond":
                bad.ProgressSteps = [0, 1, 2, 11];
                break;
            default:
                bad.ProgressSteps = [0, 1, 2];
                break;
        }

        bad.ProgressResult = false; // then it waits: the gateway must close the connection

        // Round-robin sends the two jobs to both orchestrators in some order; each job must come from the good one.
        for (var i = 0; i < 2; i++)
        {
            var response = await gw.Client.PostAsync("/text-to-image", FirstRoutesTests.Json(Body));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            response.Headers.GetValues("Livepeer-Orchestrator").Single().ShouldBe(good.Url);
        }

        bad.JobCount.ShouldBeGreaterThan(0);
        InPool(gw, bad).ShouldBeFalse();
        InPool(gw, good).ShouldBeTrue();
        gw.Get<GatewayMetrics>().Prometheus().ShouldContain(fault == "stops" ? "reason=\"stalled\"" : "reason=\"protocol\"");
        await bad.ProgressAborted.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the connection was closed: its runner stops
    }

    [Fact]
    public async Task A_gpu_too_slow_for_the_deadline_is_left_after_its_first_chunk_not_suspended_and_the_job_fails_over()
    {
        await using var gw = await GatewayHost.StartAsync(2, Offering, Settings());
        var (slow, fast) = (gw.Orchestrators[0], gw.Orchestrators[1]);
        slow.StepDelay = TimeSpan.FromMilliseconds(1500); // 10 steps: 15 s against a 12 s deadline
        for (var i = 0; i < 2; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/text-to-image") { Content = FirstRoutesTests.Json(Body) };
            request.Headers.Add("Livepeer-Deadline-Ms", "12000");
            var response = await gw.Client.SendAsync(request);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            response.Headers.GetValues("Livepeer-Orchestrator").Single().ShouldBe(fast.Url);
        }

        slow.JobCount.ShouldBeGreaterThan(0);
        slow.ChunkPayments.Count.ShouldBeLessThanOrEqualTo(2); // chunk 1, and at most chunk 2 paid after chunk 1 was seen
        InPool(gw, slow).ShouldBeTrue();
        gw.Get<SpeedTracker>().Get(slow.Key, new PipelineModel(PipelineCatalog.TextToImage, Model))!.Samples.ShouldBeGreaterThan(0);
        gw.Get<GatewayMetrics>().Prometheus().ShouldContain("reason=\"too_slow\"");
    }

    [Fact]
    public async Task A_client_asking_for_events_gets_progress_then_the_result_and_done()
    {
        await using var gw = await GatewayHost.StartAsync(1, Offering, Settings("false"));
        var request = new HttpRequestMessage(HttpMethod.Post, "/text-to-image") { Content = FirstRoutesTests.Json(Body) };
        request.Headers.Accept.ParseAdd("text/event-stream");
        var response = await gw.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        var events = new SseEventReader().Feed(await response.Content.ReadAsByteArrayAsync());
        var progress = events.Where(e => e.Name == "progress").Select(e => JsonSerializer.Deserialize<ProgressEvent>(e.Data, Protocol.Wire.WireJson.Options)!).ToList();
        progress.Select(p => p.Step).ShouldBe(Enumerable.Range(0, 11));
        progress.ShouldAllBe(p => p.Orchestrator == gw.Orchestrators[0].Url && p.Attempt == 1);
        events[^2].Name.ShouldBe("result");
        JsonDocument.Parse(events[^2].Data).RootElement.GetProperty("images").GetArrayLength().ShouldBe(1);
        events[^1].Name.ShouldBe("done");
        JsonDocument.Parse(events[^1].Data).RootElement.GetProperty("attempts").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task A_client_that_disconnects_stops_the_job_and_nothing_more_is_paid()
    {
        await using var gw = await GatewayHost.StartAsync(1, Offering, Settings());
        var fake = gw.Orchestrators[0];
        fake.StepDelay = TimeSpan.FromMilliseconds(300);
        using var gone = new CancellationTokenSource();
        var request = new HttpRequestMessage(HttpMethod.Post, "/text-to-image") { Content = FirstRoutesTests.Json(Body) };
        request.Headers.Accept.ParseAdd("text/event-stream");
        var response = await gw.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1024];
        (await stream.ReadAsync(buffer)).ShouldBeGreaterThan(0); // step 0 arrived
        var reading = stream.ReadAsync(buffer, gone.Token).AsTask();
        await gone.CancelAsync(); // cancelling a read in flight closes the connection
        await Should.ThrowAsync<OperationCanceledException>(reading);
        response.Dispose();

        await fake.ProgressAborted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var paid = fake.ChunkPayments.Count;
        paid.ShouldBeLessThanOrEqualTo(2, string.Join(", ", fake.ChunkPayments.Select(p => $"{p.Job}:{p.Chunk}")) + $" steps sent {fake.JobCount}");
        await Task.Delay(1000);
        fake.ChunkPayments.Count.ShouldBe(paid);
    }
}
