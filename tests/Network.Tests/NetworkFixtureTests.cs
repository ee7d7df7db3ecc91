using System.Net;
using System.Text.Json;
using LivepeerAspire.Network.Tests.Infrastructure;

namespace LivepeerAspire.Network.Tests;

[Collection(NetworkCollection.Name)]
public sealed class NetworkFixtureTests(NetworkFixture fixture)
{
    [Fact]
    public void Every_resource_of_the_test_topology_is_running()
    {
        var names = fixture.Network.ResourceNames;
        names.ShouldBe(
            ["simulator", "orchestrator-o1", "orchestrator-o2", "ollama-o3-gpu0", "orchestrator-o3", "gateway"],
            ignoreOrder: true);
        names.ShouldAllBe(name => fixture.Network.StateOf(name) == "Running");
        fixture.OrchestratorUrls.Keys.ShouldBe(["o1", "o2", "o3"], ignoreOrder: true);
    }

    [Fact]
    public async Task Gateway_health_answers_on_its_url()
    {
        using var client = fixture.CreateGatewayClient();
        using var response = await client.GetAsync("/health");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        new Uri(fixture.GatewayUrl).Host.ShouldBe("127.0.0.1");
    }

    [Fact]
    public async Task Orchestrators_and_simulator_answer_health()
    {
        foreach (var url in fixture.OrchestratorUrls.Values.Append(fixture.SimulatorUrl))
        {
            using var http = fixture.CreateClient(url);
            (await http.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        fixture.OrchestratorUrls.Values.ShouldAllBe(url => url.StartsWith("https://127.0.0.1:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_crash_command_on_an_orchestrator_makes_the_gateway_route_around_it_until_recover()
    {
        using var client = fixture.CreateGatewayClient();
        var o1 = fixture.Network.OrchestratorResource("o1");
        (await fixture.Network.ExecuteCommandAsync(o1, "fault-crash")).Success.ShouldBeTrue();
        try
        {
            using var simulator = new HttpClient(new SocketsHttpHandler { UseProxy = false });
            var gpu = JsonDocument.Parse(await simulator.GetStringAsync(fixture.SimulatorUrl + "/admin/gpus/o1-gpu0")).RootElement;
            gpu.GetProperty("fault").GetProperty("spec").GetProperty("kind").GetString().ShouldBe("crash");

            // Round-robin would give o1 every other job; each must still succeed, served by o2.
            for (var i = 0; i < 4; i++)
            {
                using var response = await client.PostAsync("/text-to-image", Json("""{"model_id":"SG161222/RealVisXL_V4.0_Lightning","prompt":"a cat","width":512,"height":512}"""));
                response.StatusCode.ShouldBe(HttpStatusCode.OK);
                fixture.OrchestratorName(response.Headers.GetValues("Livepeer-Orchestrator").Single()).ShouldBe("o2");
            }
        }
        finally
        {
            (await fixture.Network.ExecuteCommandAsync(o1, "fault-clear")).Success.ShouldBeTrue();
        }

        using var simulatorAfter = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var after = JsonDocument.Parse(await simulatorAfter.GetStringAsync(fixture.SimulatorUrl + "/admin/gpus/o1-gpu0")).RootElement;
        after.TryGetProperty("fault", out var fault).ShouldBeFalse(fault.ToString());
    }

    [Fact]
    public async Task A_fault_command_while_the_simulator_is_stopped_fails_with_a_reason()
    {
        // Commands run against the resource they sit on; the simulator is a separate process, so stop it.
        (await fixture.Network.ExecuteCommandAsync("simulator", "resource-stop")).Success.ShouldBeTrue();
        try
        {
            var result = await fixture.Network.ExecuteCommandAsync(fixture.Network.OrchestratorResource("o1"), "fault-hang");
            result.Success.ShouldBeFalse();
            result.Message!.ShouldContain("did not answer");
        }
        finally
        {
            (await fixture.Network.ExecuteCommandAsync("simulator", "resource-start")).Success.ShouldBeTrue();
            await fixture.Network.WaitForHealthyAsync("simulator");
        }
    }

    [Fact]
    public async Task The_gateway_knows_each_orchestrators_stake_from_the_topology()
    {
        var expected = new Dictionary<string, decimal> { ["o1"] = 3000, ["o2"] = 2000, ["o3"] = 1000 };
        using var client = fixture.CreateGatewayClient();
        // Pools are filled on a pipeline's first job, as in go-livepeer.
        (await client.PostAsync("/text-to-image", Json("""{"model_id":"SG161222/RealVisXL_V4.0_Lightning","prompt":"a cat","width":512,"height":512}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.PostAsync("/llm", Json("""{"model":"meta-llama/Meta-Llama-3.1-8B-Instruct","messages":[{"role":"user","content":"hi"}],"max_tokens":4,"stream":false}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var view = JsonDocument.Parse(await client.GetStringAsync("/orchestrators"));
        var sessions = view.RootElement.GetProperty("pools").EnumerateArray()
            .SelectMany(p => p.GetProperty("warm").EnumerateArray().Concat(p.GetProperty("cold").EnumerateArray()))
            .ToList();

        sessions.ShouldNotBeEmpty();
        foreach (var (name, url) in fixture.OrchestratorUrls)
        {
            var mine = sessions.Where(s => s.GetProperty("orchestrator").GetString()!.TrimEnd('/') == url).ToList();
            mine.ShouldNotBeEmpty($"{name} should be in the gateway's pools");
            mine.ShouldAllBe(s => s.GetProperty("stake").GetDecimal() == expected[name]);
        }
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
