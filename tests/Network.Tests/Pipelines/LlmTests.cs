using System.Net;
using System.Text.Json;
using LivepeerAspire.Network.Tests.Support;
using static LivepeerAspire.Network.Tests.Support.GatewayResponses;

namespace LivepeerAspire.Network.Tests.Pipelines;

[Collection(PipelinesNetwork.Name)]
public sealed class LlmTests(PipelinesNetworkFixture network)
{
    private const string Model = "meta-llama/Meta-Llama-3.1-8B-Instruct";

    [Fact]
    public async Task Llm_without_streaming_answers_one_message_with_usage()
    {
        using var client = network.CreateClient();
        using var response = await client.PostAsync("/llm", Json(
            $$"""{"model":"{{Model}}","messages":[{"role":"user","content":"Tell me about GPUs."}],"max_tokens":24,"stream":false}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.JsonAsync();
        var choice = body.GetProperty("choices")[0];
        choice.GetProperty("message").GetProperty("role").GetString().ShouldBe("assistant");
        choice.GetProperty("message").GetProperty("content").GetString().ShouldNotBeNullOrWhiteSpace();
        choice.GetProperty("finish_reason").GetString().ShouldNotBeNullOrEmpty();
        choice.TryGetProperty("delta", out _).ShouldBeFalse("the SDK rejects a null delta, so it must be absent");
        var usage = body.GetProperty("usage");
        usage.GetProperty("completion_tokens").GetInt32().ShouldBeInRange(1, 24);
        usage.GetProperty("total_tokens").GetInt32().ShouldBe(usage.GetProperty("prompt_tokens").GetInt32() + usage.GetProperty("completion_tokens").GetInt32());
        network.OrchestratorName(response.Orchestrator()).ShouldBeOneOf("o3", "o4");
    }

    [Fact]
    public async Task Llm_stream_delivers_tokens_as_separate_events_and_ends_with_a_finish_reason()
    {
        using var client = network.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/llm")
        {
            Content = Json($$"""{"model":"{{Model}}","messages":[{"role":"user","content":"Count slowly."}],"max_tokens":32,"stream":true}"""),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        var events = new List<SseEvent>();
        await foreach (var e in ServerSentEvents.ReadAsync(response))
        {
            events.Add(e);
        }

        events.ShouldNotContain(e => e.Data == "[DONE]", "go-livepeer's gateway sends no [DONE] sentinel");
        var chunks = events.Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("choices")[0]).ToList();
        var contentChunks = chunks.Where(c => c.TryGetProperty("delta", out var d) && d.GetProperty("content").GetString() is { Length: > 0 }).ToList();
        contentChunks.Count.ShouldBeGreaterThan(3, "tokens arrive as separate events, not as one answer");
        chunks.Take(chunks.Count - 1).ShouldAllBe(c => c.GetProperty("finish_reason").GetString() == "");
        chunks[^1].GetProperty("finish_reason").GetString().ShouldNotBeNullOrEmpty();
        events[^1].ArrivedAfter.ShouldBeGreaterThan(events[0].ArrivedAfter);
    }

    [Fact]
    public async Task Empty_model_picks_a_model_the_network_serves()
    {
        using var client = network.CreateClient();
        using var response = await client.PostAsync("/llm", Json(
            """{"model":"","messages":[{"role":"user","content":"hi"}],"max_tokens":4,"stream":false}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.JsonAsync()).GetProperty("model").GetString().ShouldBe(Model);
    }

    [Fact]
    public async Task Llm_jobs_are_spread_over_both_llm_orchestrators()
    {
        using var client = network.CreateClient();
        var served = new HashSet<string>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await client.PostAsync("/llm", Json(
                $$"""{"model":"{{Model}}","messages":[{"role":"user","content":"job {{i}}"}],"max_tokens":4,"stream":false}"""));
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            served.Add(network.OrchestratorName(response.Orchestrator()));
        }

        served.ShouldBe(["o3", "o4"], ignoreOrder: true);
    }
}
