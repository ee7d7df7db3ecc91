using System.Net;
using System.Net.Sockets;
using LivepeerAspire.AppHost.Tests.Support;

namespace LivepeerAspire.AppHost.Tests.Hosting;

/// <summary>The AppHost as users run it: a real process with a small topology, stopped by a signal.</summary>
public sealed class AppHostProcessTests : IDisposable
{
    private readonly string _runDir = Directory.CreateTempSubdirectory("apphost-run-").FullName;

    private static string Tiny => Path.Combine(TestApps.RepositoryRoot, "tests", "AppHost.Tests", "topologies", "tiny.json");

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_signal_stops_dcp_the_dashboard_and_every_service_and_frees_every_port(string signal)
    {
        await using var host = AppHostProcess.Start("--topology", Tiny, "--gateway-port", "0", "--dashboard-port", "0", "--run-dir", _runDir);
        var gateway = await host.WaitForLineAsync("Gateway", TimeSpan.FromMinutes(3));
        var dashboard = await host.WaitForLineAsync("Dashboard", TimeSpan.FromSeconds(10));
        await host.WaitForLineAsync("3 resources healthy in", TimeSpan.FromSeconds(60), separator: " ");
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        (await http.GetAsync(gateway + "/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.GetAsync(dashboard)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var children = TestApps.ProcessesOf(host.Pid);
        var commands = children.Select(pid => File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')).ToList();
        commands.ShouldContain(c => c.Contains("dcp", StringComparison.Ordinal) && c.Contains("start-apiserver", StringComparison.Ordinal));
        commands.ShouldContain(c => c.Contains("Aspire.Dashboard", StringComparison.Ordinal));
        foreach (var service in new[] { "Gateway", "Orchestrator", "Runner.Simulated" })
        {
            commands.ShouldContain(c => c.Contains($"/net10.0/{service} ", StringComparison.Ordinal) || c.EndsWith($"/net10.0/{service} ", StringComparison.Ordinal), service);
        }

        var ports = new[] { new Uri(gateway).Port, new Uri(dashboard).Port };

        host.Signal(signal);

        (await host.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBeTrue("the AppHost should exit after the signal");
        host.ExitCode.ShouldBe(0);
        host.Stdout.ShouldContain("Stopped.");
        // DCP stops its own processes after the AppHost has gone; give it the few seconds it takes.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (children.Any(pid => !TestApps.ProcessIsGone(pid)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        children.Where(pid => !TestApps.ProcessIsGone(pid)).ShouldBeEmpty();
        foreach (var port in ports)
        {
            using var probe = new TcpListener(IPAddress.Loopback, port);
            Should.NotThrow(() => probe.Start(), $"port {port} should be free");
            probe.Stop();
        }
    }

    [Fact]
    public async Task A_service_that_refuses_its_configuration_shows_as_failed_once_and_the_rest_runs()
    {
        var topology = Path.Combine(_runDir, "bad-config.json");
        File.WriteAllText(topology, File.ReadAllText(Tiny).Replace("\"gateway\": { \"port\": 0 }", "\"gateway\": { \"port\": 0, \"environment\": { \"Discovery__Timeout\": \"soon\" } }"));
        await using var host = AppHostProcess.Start("--topology", topology, "--gateway-port", "0", "--run-dir", Path.Combine(_runDir, "run"));

        var summary = await host.WaitForLineAsync("resources healthy in", TimeSpan.FromMinutes(3), separator: "", contains: true);

        // The gateway exits 2 with one line naming the key (shown in its console log in the dashboard); DCP does not
        // restart it, and the simulator and the orchestrator keep running.
        summary.ShouldStartWith("2 resources healthy in");
        summary.ShouldContain("failed: gateway (");
        var gateways = TestApps.ProcessesOf(host.Pid).Count(pid => File.ReadAllText($"/proc/{pid}/cmdline").Contains("/net10.0/Gateway", StringComparison.Ordinal));
        gateways.ShouldBe(0);
    }

    [Fact]
    public async Task An_invalid_topology_is_refused_with_exit_code_2_before_anything_starts()
    {
        var bad = Path.Combine(_runDir, "bad.json");
        File.WriteAllText(bad, """{ "orchestrators": [ { "name": "o1", "gpus": [ { "profile": "RTX 4090", "pipeline": "text-to-sound" } ] } ] }""");
        await using var host = AppHostProcess.Start("--topology", bad, "--gateway-port", "0", "--run-dir", Path.Combine(_runDir, "run"));

        (await host.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBeTrue();

        host.ExitCode.ShouldBe(2);
        host.Stderr.ShouldContain($"{bad}: $.orchestrators[0].gpus[0].pipeline: unknown pipeline 'text-to-sound'");
        Directory.Exists(Path.Combine(_runDir, "run")).ShouldBeFalse();
    }

    [Fact]
    public async Task A_gpu_profile_the_simulator_does_not_know_is_refused_at_its_topology_path()
    {
        var bad = Path.Combine(_runDir, "unknown-gpu.json");
        File.WriteAllText(bad, """
            { "orchestrators": [ { "name": "o1", "gpus": [
                { "profile": "RTX 4090", "pipeline": "text-to-image" },
                { "profile": "RTX 9999", "pipeline": "text-to-image" } ] } ] }
            """);
        var run = Path.Combine(_runDir, "run");
        await using var host = AppHostProcess.Start("--topology", bad, "--gateway-port", "0", "--run-dir", run);

        (await host.WaitForExitAsync(TimeSpan.FromSeconds(120))).ShouldBeTrue();

        host.ExitCode.ShouldBe(2);
        host.Stderr.ShouldContain($"{bad}: $.orchestrators[0].gpus[1].profile: unknown GPU profile 'RTX 9999'");
        Directory.Exists(run).ShouldBeFalse();
    }

    [Fact]
    public async Task A_bad_command_line_is_refused_with_exit_code_2()
    {
        await using var host = AppHostProcess.Start("--gateway-port", "notaport");

        (await host.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBeTrue();

        host.ExitCode.ShouldBe(2);
        host.Stderr.ShouldContain("usage:");
    }

    public void Dispose() => Directory.Delete(_runDir, recursive: true);
}
