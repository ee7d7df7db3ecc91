using System.Diagnostics;
using System.Net;
using System.Text.Json;
using LivepeerAspire.Network.Tests.Support;
using LivepeerAspire.Protocol.Media;
using static LivepeerAspire.Network.Tests.Support.GatewayResponses;

namespace LivepeerAspire.Network.Tests.Failover;

/// <summary>Issue 5: the gateway routes around a hung, an erroring and a silent orchestrator, within each job's deadline.</summary>
[Collection(FaultsNetwork.Name)]
public sealed class FailoverTests(FaultsNetworkFixture network)
{
    private const string Image = """{"model_id":"SG161222/RealVisXL_V4.0_Lightning","prompt":"a harbour","width":64,"height":64}""";

    [Fact]
    public async Task With_one_orchestrator_hung_every_job_still_succeeds_within_its_deadline()
    {
        await network.SetFaultAsync("o1-gpu0", """{"kind":"hang"}""");
        try
        {
            using var client = network.CreateClient();
            var results = new List<(HttpStatusCode Status, string Orchestrator, int Attempts, TimeSpan Took)>();
            for (var i = 0; i < 6; i++)
            {
                var clock = Stopwatch.StartNew();
                using var request = new HttpRequestMessage(HttpMethod.Post, "/text-to-image") { Content = Json(Image) };
                request.Headers.Add("Livepeer-Deadline-Ms", "20000");
                using var response = await client.SendAsync(request);
                results.Add((response.StatusCode, response.StatusCode == HttpStatusCode.OK ? network.OrchestratorName(response.Orchestrator()) : "-", response.Attempts(), clock.Elapsed));
            }

            results.ShouldAllBe(r => r.Status == HttpStatusCode.OK);
            results.ShouldAllBe(r => r.Orchestrator != "o1");
            results.ShouldAllBe(r => r.Took < TimeSpan.FromSeconds(20), "within the 20 s deadline the client asked for");
            results.ShouldContain(r => r.Attempts >= 2, "at least one job was sent to the hung orchestrator first and failed over");
        }
        finally
        {
            await network.ClearFaultsAsync("o1-gpu0");
        }
    }

    [Fact]
    public async Task An_orchestrator_returning_errors_is_suspended_and_traffic_moves_away()
    {
        await network.SetFaultAsync("o2-gpu1", """{"kind":"errors","rate":1.0}""");
        try
        {
            using var client = network.CreateClient();
            var picture = SyntheticPng.Encode(64, 64, seed: 9);
            var results = new List<(string Orchestrator, int Attempts)>();
            for (var i = 0; i < 6; i++)
            {
                using var response = await client.PostAsync("/image-to-image", Multipart(picture, "image", "in.png", ("prompt", "brighter")));
                response.StatusCode.ShouldBe(HttpStatusCode.OK);
                results.Add((network.OrchestratorName(response.Orchestrator()), response.Attempts()));
            }

            results.ShouldAllBe(r => r.Orchestrator == "o1");
            results.Count(r => r.Attempts > 1).ShouldBeLessThanOrEqualTo(1, "once suspended, o2 is not tried again");

            using var orchestrators = await client.GetAsync("/orchestrators");
            var suspended = (await orchestrators.JsonAsync()).GetProperty("suspended").GetRawText();
            suspended.ShouldContain(network.OrchestratorUrls["o2"].TrimEnd('/'));
        }
        finally
        {
            await network.ClearFaultsAsync("o2-gpu1");
        }
    }

    [Fact]
    public async Task A_stream_whose_orchestrator_never_sends_a_first_token_fails_over_within_the_first_token_deadline()
    {
        await network.SetFaultAsync("o4-gpu0", """{"kind":"hang"}""");
        try
        {
            using var client = network.CreateClient();
            for (var i = 0; i < 2; i++)
            {
                var clock = Stopwatch.StartNew();
                using var request = new HttpRequestMessage(HttpMethod.Post, "/llm")
                {
                    Content = Json("""{"model":"meta-llama/Meta-Llama-3.1-8B-Instruct","messages":[{"role":"user","content":"hello"}],"max_tokens":8,"stream":true}"""),
                };
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                response.StatusCode.ShouldBe(HttpStatusCode.OK);
                var events = new List<SseEvent>();
                await foreach (var e in ServerSentEvents.ReadAsync(response))
                {
                    events.Add(e);
                }

                network.OrchestratorName(response.Orchestrator()).ShouldBe("o5");
                JsonDocument.Parse(events[^1].Data).RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldNotBeNullOrEmpty();
                clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20), "a silent orchestrator costs at most the 3 s first-token deadline");
            }
        }
        finally
        {
            await network.ClearFaultsAsync("o4-gpu0");
        }
    }
}
