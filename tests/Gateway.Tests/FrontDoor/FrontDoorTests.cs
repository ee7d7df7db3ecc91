using System.Net;
using System.Net.Sockets;
using LivepeerAspire.Gateway.FrontDoor;
using LivepeerAspire.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Tests.FrontDoor;

/// <summary>
/// The front door in process, in front of a live replica (a small echo server) and a dead one (a port nobody listens
/// on): requests that cannot reach a replica go to another with their bodies intact, and with none left the client
/// gets a reason it can act on.
/// </summary>
public sealed class FrontDoorTests : IAsyncDisposable
{
    private readonly List<WebApplication> apps = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var app in apps)
        {
            await app.DisposeAsync();
        }
    }

    private async Task<string> StartEchoAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapGet("/alive", () => "ok");
        app.MapPost("/echo", async (HttpRequest request) => await new StreamReader(request.Body).ReadToEndAsync());
        await app.StartAsync();
        apps.Add(app);
        return app.Urls.First();
    }

    private async Task<HttpClient> StartFrontDoorAsync(string replicas)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FrontDoor:Replicas"] = replicas,
            ["FrontDoor:HealthInterval"] = "01:00:00", // no probe takes the dead replica out: the retry must carry the requests
            ["urls"] = "http://127.0.0.1:0",
        });
        builder.AddServiceDefaults();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.IsFrontDoor().ShouldBeTrue();
        builder.AddFrontDoor();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapFrontDoor();
        await app.StartAsync();
        apps.Add(app);
        return new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(app.Urls.First()) };
    }

    private static int DeadPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Requests_that_cannot_reach_a_dead_replica_are_served_by_a_live_one_with_their_bodies_intact()
    {
        var live = await StartEchoAsync();
        using var client = await StartFrontDoorAsync($"dead=http://127.0.0.1:{DeadPort()},live={live}");

        for (var i = 0; i < 20; i++)
        {
            var body = new string('x', 1000 + i) + i;
            using var response = await client.PostAsync("/echo", new StringContent(body));
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await response.Content.ReadAsStringAsync()).ShouldBe(body);
            response.Headers.GetValues(FrontDoorSetup.ReplicaHeader).Single().ShouldBe("live");
        }
    }

    [Fact]
    public async Task With_no_replica_reachable_the_client_gets_503_saying_nothing_ran()
    {
        using var client = await StartFrontDoorAsync($"a=http://127.0.0.1:{DeadPort()},b=http://127.0.0.1:{DeadPort()}");

        using var response = await client.PostAsync("/text-to-image", new StringContent("{}"));

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter.ShouldNotBeNull();
        var text = await response.Content.ReadAsStringAsync();
        text.ShouldContain("no gateway replica could be reached");
        text.ShouldContain("nothing was run or paid");
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:1", "'ftp://127.0.0.1:1' is not an absolute http(s) URL")]
    [InlineData("a=http://127.0.0.1:1,a=http://127.0.0.1:2", "each name once")]
    public async Task A_replica_list_it_cannot_use_refuses_start_with_the_reason(string replicas, string reason)
    {
        var e = await Should.ThrowAsync<OptionsValidationException>(() => StartFrontDoorAsync(replicas));
        e.Message.ShouldContain(reason);
        e.Message.ShouldContain("FrontDoor:Replicas");
    }
}
