using System.Net;
using LivepeerAspire.AppHost.Hosting;
using LivepeerAspire.Network.Tests.Infrastructure;

namespace LivepeerAspire.Network.Tests;

[Collection(NetworkCollection.Name)]
public sealed class NetworkFixtureTests(NetworkFixture fixture)
{
    [Fact]
    public void Every_resource_of_the_test_topology_is_running()
    {
        var instances = fixture.App.Instances;
        instances.Select(i => i.Name).ShouldBe(
            ["simulator", "orchestrator-o1", "orchestrator-o2", "ollama-o3-gpu0", "orchestrator-o3", "gateway"],
            ignoreOrder: true);
        instances.ShouldAllBe(i => i.State == ResourceState.Running);
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
    public async Task Orchestrators_and_simulator_answer_health_and_the_dashboard_lists_them()
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        foreach (var url in fixture.OrchestratorUrls.Values.Append(fixture.SimulatorUrl))
        {
            (await http.GetAsync(url + "/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var resources = await http.GetStringAsync(fixture.DashboardUrl + "/api/resources");
        resources.ShouldContain("\"orchestrator-o3\"");
        resources.ShouldContain("\"running\"");
    }
}
