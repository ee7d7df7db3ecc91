using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LivepeerAspire.Runner.Simulated.Tests.Support;
using static LivepeerAspire.Runner.Simulated.Tests.Support.Requests;

namespace LivepeerAspire.Runner.Simulated.Tests.Faults;

/// <summary>With Simulator:AdminToken set (the AppHost sets it when the gateway has access control), only its holder changes faults.</summary>
public sealed class FaultTokenTests
{
    private const string Token = "simulator-token-for-tests";

    [Fact]
    public async Task Changing_faults_needs_the_token_and_reading_the_gpus_does_not()
    {
        await using var host = new SimulatorHost(
            new { timeScale = 1, seed = 42, gpus = new[] { new { id = "g", profile = "RTX 4090", pipeline = "text-to-image", modelId = "ByteDance/SDXL-Lightning" } } },
            settings: new Dictionary<string, string> { ["Simulator:AdminToken"] = Token });

        using var without = await host.Client.PostAsync("/admin/gpus/g/faults", Json(new { kind = "crash" }));
        using var wrong = await Send(host, HttpMethod.Delete, "wrong-token");
        var read = await host.StatusAsync();
        using var with = await Send(host, HttpMethod.Post, Token, new { kind = "hang" });
        using var clear = await Send(host, HttpMethod.Delete, Token);

        without.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        JsonDocument.Parse(await without.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetProperty("msg").GetString()!.ShouldContain("admin token");
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        read.Down.ShouldBeFalse();
        read.Fault.ShouldBeNull();
        with.StatusCode.ShouldBe(HttpStatusCode.OK);
        clear.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static Task<HttpResponseMessage> Send(SimulatorHost host, HttpMethod method, string token, object? body = null)
    {
        var request = new HttpRequestMessage(method, "/admin/gpus/g/faults") { Content = body is null ? null : Json(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return host.Client.SendAsync(request);
    }
}
