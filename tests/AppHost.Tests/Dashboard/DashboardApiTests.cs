using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LivepeerAspire.AppHost.Hosting;
using LivepeerAspire.AppHost.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LivepeerAspire.AppHost.Tests.Dashboard;

/// <summary>
/// The dashboard's JSON API against a composition whose simulator, orchestrator and gateway are small test
/// servers (external resources), so the network view and fault buttons can be checked end to end.
/// </summary>
public sealed class DashboardApiTests : IAsyncLifetime
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
    private TestHttpServer _simulator = null!;
    private TestHttpServer _orchestrator = null!;
    private TestHttpServer _gateway = null!;
    private DistributedApplication _app = null!;

    private string Dashboard => _app.DashboardUrl!;

    public async Task InitializeAsync()
    {
        _simulator = await TestHttpServer.StartAsync(app =>
        {
            app.MapGet("/health", () => Results.Ok());
            app.MapGet("/admin/gpus", () => Results.Json(new[] { new { id = "o1-gpu0", profile = "RTX 4090", busy = 1, queued = 2, jobsServed = 17, fault = (string?)null } }));
            app.MapPost("/admin/gpus/{id}/faults", async (HttpRequest r) =>
            {
                var body = await r.ReadFromJsonAsync<JsonElement>();
                return body.GetProperty("kind").GetString() == "slow" && !body.TryGetProperty("factor", out _)
                    ? Results.Json(new { error = "slow needs a factor" }, statusCode: 400)
                    : Results.Ok(new { ok = true });
            });
            app.MapDelete("/admin/gpus/{id}/faults", () => Results.NoContent());
        });
        _orchestrator = await TestHttpServer.StartAsync(app =>
        {
            app.MapGet("/health", () => Results.Ok());
            app.MapGet("/status", () => Results.Json(new { name = "o1", jobsServed = 42, ticketsReceived = 9, ticketsRedeemed = 1 }));
        });
        _gateway = await TestHttpServer.StartAsync(app =>
        {
            app.MapGet("/health", () => Results.Ok());
            app.MapGet("/stats", () => Results.Json(new { requests_per_second = 3.5, latency = new { count = 4, p50 = 0.12, p95 = 0.48, p99 = 0.9 }, failovers = 2 }));
            app.MapGet("/orchestrators", () => Results.Json(new
            {
                strategy = "round-robin",
                pools = new[]
                {
                    new { pipeline = "text-to-image", model_id = "m", warm = new[] { new { orchestrator = _orchestrator.Url, latency_score = 0.8, stake = 100 } }, cold = Array.Empty<object>() },
                    new { pipeline = "llm", model_id = "x", warm = new[] { new { orchestrator = "http://127.0.0.1:1", latency_score = 0.1, stake = 5 } }, cold = Array.Empty<object>() },
                },
                suspended = new[] { new { pipeline = "llm", model_id = "x", orchestrator = _orchestrator.Url + "/", refreshes_left = 3 } },
            }));
        });

        var builder = TestApps.Builder(dashboardPort: 0);
        builder.AddExternalService("simulator", new Uri(_simulator.Url));
        builder.AddExternalService("orchestrator-o1", new Uri(_orchestrator.Url));
        builder.AddExternalService("gateway", new Uri(_gateway.Url));
        builder.AddExecutable("chatty", "sh", null, "-c", "echo hello from chatty; echo oops >&2; exec sleep 60");
        builder.Network = new NetworkMap("gateway", "simulator",
            [new NetworkOrchestrator("o1", "orchestrator-o1", "100",
                [new NetworkGpu("o1-gpu0", "RTX 4090", "text-to-image", "m", true, 1, "4768371", "1", "wei", "simulated", _simulator.Url + "/gpus/o1-gpu0/")])],
            "dash-test", 0.01);
        _app = builder.Build();
        await _app.StartAsync();
        await _app.WaitForAllHealthyAsync(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _simulator.DisposeAsync();
        await _orchestrator.DisposeAsync();
        await _gateway.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task Resources_lists_every_instance_with_state_endpoint_and_pid()
    {
        var resources = await _http.GetFromJsonAsync<JsonElement>(Dashboard + "/api/resources");

        var byName = resources.EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!);
        byName.Keys.ShouldBe(["simulator", "orchestrator-o1", "gateway", "chatty"], ignoreOrder: true);
        byName["gateway"].GetProperty("state").GetString().ShouldBe("running");
        byName["gateway"].GetProperty("kind").GetString().ShouldBe("external");
        byName["gateway"].GetProperty("url").GetString().ShouldBe(_gateway.Url);
        byName["chatty"].GetProperty("pid").GetInt32().ShouldBe(_app.GetInstance("chatty").Pid!.Value);
    }

    [Fact]
    public async Task Logs_returns_stdout_and_stderr_lines_after_a_sequence_number()
    {
        var chatty = _app.GetInstance("chatty");
        await TestApps.WaitUntilAsync(() => chatty.Logs.Tail(10).Any(l => l.Text == "oops"), TimeSpan.FromSeconds(10), "output");

        var logs = await _http.GetFromJsonAsync<JsonElement>(Dashboard + "/api/resources/chatty/logs");
        var lines = logs.GetProperty("lines").EnumerateArray().ToList();
        lines.ShouldContain(l => l.GetProperty("text").GetString() == "hello from chatty" && l.GetProperty("stream").GetString() == "stdout");
        lines.ShouldContain(l => l.GetProperty("text").GetString() == "oops" && l.GetProperty("stream").GetString() == "stderr");

        var last = lines[^1].GetProperty("seq").GetInt64();
        var after = await _http.GetFromJsonAsync<JsonElement>($"{Dashboard}/api/resources/chatty/logs?after={last}");
        after.GetProperty("lines").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Stop_and_start_buttons_act_on_the_process()
    {
        var chatty = _app.GetInstance("chatty");
        var pid = chatty.Pid!.Value;

        (await _http.PostAsync(Dashboard + "/api/resources/chatty/stop", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        chatty.State.ShouldBe(ResourceState.Stopped);
        TestApps.ProcessIsGone(pid).ShouldBeTrue();

        var started = await _http.PostAsync(Dashboard + "/api/resources/chatty/start", null);
        started.StatusCode.ShouldBe(HttpStatusCode.OK);
        await TestApps.WaitUntilAsync(() => chatty.State == ResourceState.Running, TimeSpan.FromSeconds(20), "running again");
        chatty.Pid.ShouldNotBe(pid);
    }

    [Fact]
    public async Task Unknown_resources_and_actions_get_json_errors()
    {
        var missing = await _http.GetAsync(Dashboard + "/api/resources/nope/logs");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await missing.Content.ReadAsStringAsync()).ShouldContain("no resource named 'nope'");

        var badAction = await _http.PostAsync(Dashboard + "/api/resources/chatty/explode", null);
        badAction.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await badAction.Content.ReadAsStringAsync()).ShouldContain("use stop, start or restart");
    }

    [Fact]
    public async Task Network_view_joins_topology_simulator_orchestrator_and_gateway_data()
    {
        var network = await _http.GetFromJsonAsync<JsonElement>(Dashboard + "/api/network");

        network.GetProperty("topology").GetString().ShouldBe("dash-test");
        network.GetProperty("gateway").GetProperty("stats").GetProperty("failovers").GetInt32().ShouldBe(2);
        var o1 = network.GetProperty("orchestrators")[0];
        o1.GetProperty("name").GetString().ShouldBe("o1");
        o1.GetProperty("stake").GetString().ShouldBe("100");
        o1.GetProperty("status").GetProperty("jobsServed").GetInt32().ShouldBe(42);
        var sessions = o1.GetProperty("gateway").GetProperty("sessions");
        sessions.GetArrayLength().ShouldBe(1);
        sessions[0].GetProperty("latency_score").GetDouble().ShouldBe(0.8);
        sessions[0].GetProperty("pipeline").GetString().ShouldBe("text-to-image");
        sessions[0].GetProperty("pool").GetString().ShouldBe("warm");
        o1.GetProperty("gateway").GetProperty("suspended")[0].GetProperty("refreshes_left").GetInt32().ShouldBe(3);
        var gpu = o1.GetProperty("gpus")[0];
        gpu.GetProperty("profile").GetString().ShouldBe("RTX 4090");
        gpu.GetProperty("simulator").GetProperty("queued").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task Fault_buttons_call_the_simulator_admin_api_for_the_orchestrators_gpus()
    {
        var hang = await _http.PostAsJsonAsync(Dashboard + "/api/orchestrators/o1/faults", new { kind = "hang" });
        hang.StatusCode.ShouldBe(HttpStatusCode.OK);
        var clear = await _http.DeleteAsync(Dashboard + "/api/orchestrators/o1/faults");
        clear.StatusCode.ShouldBe(HttpStatusCode.OK);

        _simulator.Requests.ShouldContain("POST /admin/gpus/o1-gpu0/faults {\"kind\":\"hang\"}");
        _simulator.Requests.ShouldContain("DELETE /admin/gpus/o1-gpu0/faults");
    }

    [Fact]
    public async Task Fault_errors_are_passed_on_and_bad_requests_refused()
    {
        var simulatorRefuses = await _http.PostAsJsonAsync(Dashboard + "/api/orchestrators/o1/faults", new { kind = "slow" });
        simulatorRefuses.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await simulatorRefuses.Content.ReadAsStringAsync()).ShouldContain("slow needs a factor");

        var notJson = await _http.PostAsync(Dashboard + "/api/orchestrators/o1/faults", new StringContent("hang"));
        notJson.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var unknown = await _http.PostAsJsonAsync(Dashboard + "/api/orchestrators/o9/faults", new { kind = "hang" });
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_page_and_its_assets_are_served_without_external_references()
    {
        var html = await _http.GetStringAsync(Dashboard + "/");
        var js = await _http.GetStringAsync(Dashboard + "/dashboard.js");
        var css = await _http.GetStringAsync(Dashboard + "/dashboard.css");

        html.ShouldContain("LivepeerAspire");
        js.ShouldContain("/api/network");
        css.ShouldContain(".dot.running");
        foreach (var text in new[] { html, js, css })
        {
            text.ShouldNotContain("https://");
            text.ShouldNotContain("http://");
        }
    }
}
