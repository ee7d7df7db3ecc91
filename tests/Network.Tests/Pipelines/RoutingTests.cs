using System.Net;
using LivepeerAspire.Network.Tests.Support;
using static LivepeerAspire.Network.Tests.Support.GatewayResponses;

namespace LivepeerAspire.Network.Tests.Pipelines;

[Collection(PipelinesNetwork.Name)]
public sealed class RoutingTests(PipelinesNetworkFixture network)
{
    private const string SmallImage = """{"model_id":"SG161222/RealVisXL_V4.0_Lightning","prompt":"a kite","width":64,"height":64,"num_inference_steps":4}""";

    [Fact]
    public async Task Round_robin_spreads_text_to_image_over_both_orchestrators_that_have_the_model()
    {
        using var client = network.CreateClient();
        var served = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await client.PostAsync("/text-to-image", Json(SmallImage));
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            served.Add(network.OrchestratorName(response.Orchestrator()));
        }

        served.Distinct().ShouldBe(["o1", "o2"], ignoreOrder: true);
        served.Count(s => s == "o1").ShouldBeInRange(2, 4, "round-robin alternates");
    }

    [Fact]
    public async Task An_orchestrator_at_capacity_answers_503_and_the_gateway_goes_to_the_next_one()
    {
        using var o1 = network.CreateClient(network.OrchestratorUrls["o1"]);
        using var simulator = network.CreateClient(network.SimulatorUrl);
        using var client = network.CreateClient();
        using var release = new CancellationTokenSource();

        // o1's only text-to-image slot is taken by a job its GPU never finishes (a hang fault), so o1 is at capacity.
        (await simulator.PostAsync("/admin/gpus/o1-gpu0/faults", Json("""{"kind":"hang"}"""))).EnsureSuccessStatusCode();
        var holdCapacity = o1.PostAsync("/text-to-image", Json(SmallImage), release.Token);
        try
        {
            await WaitUntilAsync(async () => await TextToImageInUseAsync(o1) == 1);
            (await ProbeAsync(o1)).ShouldBe("insufficient capacity");

            var outcomes = new List<(string Orchestrator, int Attempts)>();
            for (var i = 0; i < 4; i++)
            {
                using var response = await client.PostAsync("/text-to-image", Json(SmallImage));
                response.StatusCode.ShouldBe(HttpStatusCode.OK);
                outcomes.Add((network.OrchestratorName(response.Orchestrator()), response.Attempts()));
            }

            holdCapacity.IsCompleted.ShouldBeFalse("the hung job still holds o1's only slot");
            outcomes.ShouldAllBe(o => o.Orchestrator == "o2");
            outcomes.ShouldContain(o => o.Attempts >= 2, "round-robin tried o1 first at least once and failed over");
        }
        finally
        {
            await release.CancelAsync();
            try
            {
                (await holdCapacity).Dispose();
            }
            catch (OperationCanceledException)
            {
            }

            await simulator.DeleteAsync("/admin/gpus/o1-gpu0/faults");
            await WaitUntilAsync(async () => await ProbeAsync(o1) == "ok");
            await WaitUntilAsync(async () => !await AnyCooldownAsync(client));
        }
    }

    /// <summary>The gateway's LiteLLM-style cooldown after "insufficient capacity" must pass before other tests route to o1 again.</summary>
    private static async Task<bool> AnyCooldownAsync(HttpClient gateway)
    {
        using var response = await gateway.GetAsync("/orchestrators");
        return (await response.JsonAsync()).GetProperty("pools").EnumerateArray()
            .SelectMany(p => p.GetProperty("warm").EnumerateArray().Concat(p.GetProperty("cold").EnumerateArray()))
            .Any(s => s.GetProperty("cooldown_ms").GetDouble() > 0);
    }

    private static async Task<int> TextToImageInUseAsync(HttpClient orchestrator)
    {
        using var status = await orchestrator.GetAsync("/status");
        return (await status.JsonAsync()).GetProperty("models").EnumerateArray()
            .Single(m => m.GetProperty("pipeline").GetString() == "text-to-image").GetProperty("inUse").GetInt32();
    }

    /// <summary>A small job straight to an orchestrator, given up after 2 s (a probe that lands on the hung GPU must not hold its slot).</summary>
    private static async Task<string> ProbeAsync(HttpClient orchestrator)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            using var probe = await orchestrator.PostAsync("/text-to-image", Json(SmallImage), timeout.Token);
            return probe.StatusCode == HttpStatusCode.OK ? "ok" : await probe.DetailMessageAsync();
        }
        catch (OperationCanceledException)
        {
            return "timed out";
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "condition not met within 20 s");
            await Task.Delay(50);
        }
    }
}
