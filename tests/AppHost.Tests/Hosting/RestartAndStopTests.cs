using LivepeerAspire.AppHost.Hosting;
using LivepeerAspire.AppHost.Tests.Support;

namespace LivepeerAspire.AppHost.Tests.Hosting;

public sealed class RestartAndStopTests
{
    private static readonly RestartPolicy Fast = new(RestartMode.OnFailure, 2, TimeSpan.FromMilliseconds(50));

    [Fact]
    public async Task A_crashing_process_is_restarted_up_to_the_policy_limit_then_failed()
    {
        var builder = TestApps.Builder();
        builder.AddExecutable("crashy", "sh", null, "-c", "echo run; exit 3").WithRestartPolicy(Fast);
        await using var app = builder.Build();
        await app.StartAsync();
        var crashy = app.GetInstance("crashy");

        await TestApps.WaitUntilAsync(() => crashy.State == ResourceState.Failed, TimeSpan.FromSeconds(30), "failed");

        crashy.RestartCount.ShouldBe(2);
        crashy.ExitCode.ShouldBe(3);
        crashy.StateDetail.ShouldBe("exited with code 3");
        crashy.Logs.Tail(100).Count(l => l.Text == "run").ShouldBe(3);
    }

    [Fact]
    public async Task A_clean_exit_is_not_restarted_on_failure_policy_but_is_with_always()
    {
        var builder = TestApps.Builder();
        builder.AddExecutable("once", "sh", null, "-c", "echo done").WithRestartPolicy(Fast);
        builder.AddExecutable("again", "sh", null, "-c", "echo done").WithRestartPolicy(new RestartPolicy(RestartMode.Always, 1, TimeSpan.FromMilliseconds(50)));
        await using var app = builder.Build();
        await app.StartAsync();

        await TestApps.WaitUntilAsync(() => app.Instances.All(i => i.State == ResourceState.Exited), TimeSpan.FromSeconds(30), "both exited");

        app.GetInstance("once").RestartCount.ShouldBe(0);
        app.GetInstance("again").RestartCount.ShouldBe(1);
    }

    [Fact]
    public async Task A_killed_child_is_restarted_on_its_port_and_becomes_healthy_again()
    {
        var builder = TestApps.Builder();
        builder.AddExecutable("svc", "sleep", null, "60").WithRestartPolicy(Fast);
        await using var app = builder.Build();
        await app.StartAsync();
        await app.WaitForAllHealthyAsync(TimeSpan.FromSeconds(20));
        var svc = app.GetInstance("svc");
        var first = svc.Pid!.Value;

        System.Diagnostics.Process.GetProcessById(first).Kill();

        await TestApps.WaitUntilAsync(() => svc.Pid != first && svc.State == ResourceState.Running, TimeSpan.FromSeconds(30), "restarted");
        svc.RestartCount.ShouldBe(1);
        TestApps.ProcessIsGone(first).ShouldBeTrue();
    }

    [Fact]
    public async Task Stop_sends_sigterm_and_kills_a_child_that_ignores_it_after_the_grace_period()
    {
        var builder = TestApps.Builder();
        builder.AddExecutable("stubborn", "sh", null, "-c", "trap '' TERM; echo ready; while true; do sleep 1; done");
        builder.AddExecutable("polite", "sleep", null, "60");
        await using var app = builder.Build();
        await app.StartAsync();
        await app.WaitForAllHealthyAsync(TimeSpan.FromSeconds(20));
        var stubborn = app.GetInstance("stubborn");
        var polite = app.GetInstance("polite");
        await TestApps.WaitUntilAsync(() => stubborn.Logs.Tail(5).Any(l => l.Text == "ready"), TimeSpan.FromSeconds(10), "trap set");
        var pids = new[] { stubborn.Pid!.Value, polite.Pid!.Value };

        await app.StopAsync();

        stubborn.State.ShouldBe(ResourceState.Stopped);
        polite.State.ShouldBe(ResourceState.Stopped);
        pids.ShouldAllBe(pid => TestApps.ProcessIsGone(pid));
    }

    [Fact]
    public async Task A_stopped_instance_can_be_started_again_and_is_not_restarted_meanwhile()
    {
        var builder = TestApps.Builder();
        builder.AddExecutable("svc", "sleep", null, "60").WithRestartPolicy(Fast);
        await using var app = builder.Build();
        await app.StartAsync();
        await app.WaitForAllHealthyAsync(TimeSpan.FromSeconds(20));
        var svc = app.GetInstance("svc");
        var first = svc.Pid!.Value;

        await svc.StopAsync();
        await Task.Delay(300);
        svc.State.ShouldBe(ResourceState.Stopped);
        TestApps.ProcessIsGone(first).ShouldBeTrue();

        await svc.StartAsync();
        await TestApps.WaitUntilAsync(() => svc.State == ResourceState.Running, TimeSpan.FromSeconds(20), "running again");
        svc.Pid.ShouldNotBe(first);
    }

    [Fact]
    public async Task Shutdown_stops_dependents_before_their_dependencies()
    {
        var builder = TestApps.Builder();
        var db = builder.AddExecutable("db", "sleep", null, "60");
        var api = builder.AddExecutable("api", "sleep", null, "60").WaitFor(db);
        builder.AddExecutable("web", "sleep", null, "60").WaitFor(api);
        await using var app = builder.Build();
        await app.StartAsync();
        await app.WaitForAllHealthyAsync(TimeSpan.FromSeconds(20));
        var order = new List<string>();
        foreach (var instance in app.Instances)
        {
            instance.StateChanged += (i, s) =>
            {
                if (s == ResourceState.Stopped)
                {
                    lock (order)
                    {
                        order.Add(i.Name);
                    }
                }
            };
        }

        await app.StopAsync();

        order.ShouldBe(["web", "api", "db"]);
    }
}
