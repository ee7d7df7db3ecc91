using LivepeerAspire.AppHost.Hosting;
using LivepeerAspire.AppHost.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LivepeerAspire.AppHost.Tests.Hosting;

/// <summary>WaitFor with real child processes; the dependency's /health is served by the test so it decides when it passes.</summary>
public sealed class HealthGatingTests
{
    [Fact]
    public async Task A_dependent_starts_only_after_its_dependency_is_healthy()
    {
        var healthy = false;
        await using var health = await TestHttpServer.StartAsync(app =>
            app.MapGet("/health", () => healthy ? Results.Ok("Healthy") : Results.StatusCode(503)));
        var builder = TestApps.Builder();
        var db = builder.AddExecutable("db", "sleep", null, "60").WithHttpEndpoint(health.Port).WithHttpHealthCheck("/health");
        builder.AddExecutable("api", "sleep", null, "60").WaitFor(db);
        await using var app = builder.Build();

        await app.StartAsync();
        var dbInstance = app.GetInstance("db");
        var api = app.GetInstance("api");
        await TestApps.WaitUntilAsync(() => dbInstance.State == ResourceState.Starting && health.Requests.Count >= 3, TimeSpan.FromSeconds(20), "db probed");

        api.State.ShouldBe(ResourceState.Waiting);
        api.StateDetail.ShouldBe("waiting for db");
        api.Pid.ShouldBeNull();

        healthy = true;
        await app.WaitForAllHealthyAsync(TimeSpan.FromSeconds(20));

        dbInstance.State.ShouldBe(ResourceState.Running);
        api.State.ShouldBe(ResourceState.Running);
        api.Pid.ShouldNotBeNull();
        api.StartedAt!.Value.ShouldBeGreaterThanOrEqualTo(dbInstance.HealthyAt!.Value);
    }

    [Fact]
    public async Task A_running_instance_whose_health_fails_becomes_unhealthy_then_recovers()
    {
        var healthy = true;
        await using var health = await TestHttpServer.StartAsync(app =>
            app.MapGet("/health", () => healthy ? Results.Ok() : Results.StatusCode(503)));
        var builder = TestApps.Builder();
        builder.AddExecutable("svc", "sleep", null, "60").WithHttpEndpoint(health.Port).WithHttpHealthCheck();
        await using var app = builder.Build();
        await app.StartAsync();
        await app.WaitForAllHealthyAsync(TimeSpan.FromSeconds(20));
        var svc = app.GetInstance("svc");

        healthy = false;
        await TestApps.WaitUntilAsync(() => svc.State == ResourceState.Unhealthy, TimeSpan.FromSeconds(20), "unhealthy");
        healthy = true;
        await TestApps.WaitUntilAsync(() => svc.State == ResourceState.Running, TimeSpan.FromSeconds(20), "running again");
    }

    [Fact]
    public async Task Replicas_get_their_own_port_and_a_reference_lists_every_one()
    {
        var builder = TestApps.Builder();
        var workers = builder.AddExecutable("worker", "sleep", null, "60").WithHttpEndpoint().WithReplicas(3).WithHttpHealthCheck();
        workers.Resource.HealthCheck = HealthCheck.ProcessUp; // sleep serves nothing; the test only checks the wiring
        builder.AddExecutable("client", "sh", null, "-c", "printenv | grep '^services__worker' | sort; exec sleep 60").WithReference(workers);
        await using var app = builder.Build();

        await app.StartAsync();
        await app.WaitForAllHealthyAsync(TimeSpan.FromSeconds(20));
        var client = app.GetInstance("client");
        await TestApps.WaitUntilAsync(() => client.Logs.Tail(10).Count(l => l.Text.StartsWith("services__", StringComparison.Ordinal)) == 3, TimeSpan.FromSeconds(10), "env printed");

        app.Instances.Where(i => i.Resource == workers.Resource).Select(i => i.Name).ShouldBe(["worker-0", "worker-1", "worker-2"]);
        workers.Resource.Ports.Distinct().Count().ShouldBe(3);
        client.Logs.Tail(10).Where(l => l.Text.StartsWith("services__", StringComparison.Ordinal)).Select(l => l.Text)
            .ShouldBe(Enumerable.Range(0, 3).Select(i => $"services__worker__http__{i}=http://127.0.0.1:{workers.Resource.Port(i)}"));
    }

    [Fact]
    public async Task A_dependent_of_a_failed_resource_keeps_waiting_and_the_failure_is_reported_with_its_logs()
    {
        var builder = TestApps.Builder();
        var broken = builder.AddExecutable("broken", "sh", null, "-c", "echo 'cannot open config'; exit 4").WithRestartPolicy(RestartPolicy.Never);
        broken.Resource.HealthCheck = HealthCheck.Tcp;
        broken.WithTcpEndpoint();
        builder.AddExecutable("dependent", "sleep", null, "60").WaitFor(broken);
        builder.AddExecutable("bystander", "sleep", null, "60");
        await using var app = builder.Build();

        await app.StartAsync();
        var error = await Should.ThrowAsync<InvalidOperationException>(() => app.WaitForAllHealthyAsync(TimeSpan.FromSeconds(30)));

        error.Message.ShouldContain("broken: failed (exited with code 4)");
        error.Message.ShouldContain("cannot open config");
        app.GetInstance("dependent").State.ShouldBe(ResourceState.Waiting);
        await TestApps.WaitUntilAsync(() => app.GetInstance("bystander").State == ResourceState.Running, TimeSpan.FromSeconds(10), "bystander running");
    }

    [Fact]
    public async Task A_tolerant_wait_starts_the_dependent_once_the_dependency_has_given_up()
    {
        var builder = TestApps.Builder();
        // The TCP endpoint nobody listens on keeps "broken" from ever counting as healthy: without it, a resource with no
        // health check is healthy as soon as it runs, and the gateway could start in the instant before "exit 4".
        var broken = builder.AddExecutable("broken", "sh", null, "-c", "exit 4").WithRestartPolicy(RestartPolicy.Never);
        broken.WithTcpEndpoint();
        var healthy = builder.AddExecutable("healthy", "sleep", null, "60");
        builder.AddExecutable("gateway", "sleep", null, "60").WaitForHealthyOrFailed(broken).WaitForHealthyOrFailed(healthy);
        await using var app = builder.Build();

        await app.StartAsync();
        var gateway = app.GetInstance("gateway");
        await TestApps.WaitUntilAsync(() => gateway.State == ResourceState.Running, TimeSpan.FromSeconds(20), "gateway running");

        app.GetInstance("broken").State.ShouldBe(ResourceState.Failed);
        gateway.StartedAt!.Value.ShouldBeGreaterThanOrEqualTo(app.GetInstance("healthy").HealthyAt!.Value);
    }

    [Fact]
    public async Task A_program_that_is_not_installed_is_unavailable_without_stopping_the_rest()
    {
        var builder = TestApps.Builder();
        builder.AddExecutable("missing", "livepeer-aspire-no-such-program");
        builder.AddExecutable("present", "sleep", null, "60");
        await using var app = builder.Build();

        await app.StartAsync();
        await app.WaitForAllHealthyAsync(TimeSpan.FromSeconds(20));

        app.GetInstance("missing").State.ShouldBe(ResourceState.Unavailable);
        app.GetInstance("missing").StateDetail.ShouldBe("'livepeer-aspire-no-such-program' is not installed");
        app.GetInstance("present").State.ShouldBe(ResourceState.Running);
    }

    [Fact]
    public async Task A_container_is_unavailable_without_an_engine_and_fails_offline_with_one()
    {
        var builder = TestApps.Builder();
        builder.AddContainer("runner", "localhost/livepeer-aspire-no-such-image:0").WithHttpEndpoint(targetPort: 8000).WithRestartPolicy(RestartPolicy.Never);
        await using var app = builder.Build();
        await app.StartAsync();
        var runner = app.GetInstance("runner");

        await TestApps.WaitUntilAsync(() => runner.State.IsTerminal(), TimeSpan.FromSeconds(60), "container settled");

        var engine = await ContainerEngine.GetAsync();
        runner.State.ShouldBe(engine is null ? ResourceState.Unavailable : ResourceState.Failed);
        if (engine is null)
        {
            runner.StateDetail.ShouldBe("no container engine answers (docker or podman)");
        }
    }

    [Fact]
    public void Build_refuses_two_resources_on_one_fixed_port_and_waitfor_cycles()
    {
        var clash = TestApps.Builder();
        clash.AddExecutable("a", "sleep").WithHttpEndpoint(47123);
        clash.AddExecutable("b", "sleep").WithHttpEndpoint(47123);
        Should.Throw<InvalidOperationException>(() => clash.Build()).Message.ShouldContain("47123");

        var cycle = TestApps.Builder();
        var a = cycle.AddExecutable("a", "sleep");
        var b = cycle.AddExecutable("b", "sleep").WaitFor(a);
        a.WaitFor(b);
        Should.Throw<InvalidOperationException>(() => cycle.Build()).Message.ShouldContain("cycle");

        var duplicate = TestApps.Builder();
        duplicate.AddExecutable("a", "sleep");
        Should.Throw<InvalidOperationException>(() => duplicate.AddExecutable("A", "sleep"));
    }
}
