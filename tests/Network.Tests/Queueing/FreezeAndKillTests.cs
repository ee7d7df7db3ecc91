using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using LivepeerAspire.Network.Tests.Support;
using Xunit.Abstractions;
using static LivepeerAspire.Network.Tests.Support.GatewayResponses;

namespace LivepeerAspire.Network.Tests.Queueing;

/// <summary>
/// Issue 19, part 4, as a new user found it on the default network: two clients send paid text-to-image jobs while
/// one of the two text-to-image orchestrators is frozen (SIGSTOP) for 10 s and, later, the other is killed
/// (SIGKILL). With one orchestrator away the other's single slot is often taken; the gateway used to answer 503 at
/// once (21 % of jobs lost), it now holds the job until the slot frees.
/// </summary>
[Collection(CapacityQueueNetwork.Name)]
public sealed partial class FreezeAndKillTests(CapacityQueueNetworkFixture network, ITestOutputHelper output)
{
    private const string Image = """{"model_id":"SG161222/RealVisXL_V4.0_Lightning","prompt":"a harbour at dusk","width":64,"height":64}""";

    [Fact]
    public async Task Two_clients_lose_under_one_percent_of_paid_jobs_through_a_freeze_of_one_orchestrator_and_the_kill_of_the_other()
    {
        using var frozen = ProcessOf("o1");
        using var killed = ProcessOf("o2");
        var results = new ConcurrentQueue<(HttpStatusCode Status, string Orchestrator, decimal Fee, string Error, TimeSpan Sent, TimeSpan At)>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            using var client = network.CreateClient();
            while (!stop.IsCancellationRequested)
            {
                var sent = clock.Elapsed;
                using var response = await client.PostAsync("/text-to-image", Json(Image));
                var ok = response.StatusCode == HttpStatusCode.OK;
                results.Enqueue((
                    response.StatusCode,
                    ok ? network.OrchestratorName(response.Orchestrator()) : "-",
                    ok ? decimal.Parse(response.Headers.GetValues("Livepeer-Fee").Single(), CultureInfo.InvariantCulture) : 0,
                    ok ? "" : await response.Content.ReadAsStringAsync(),
                    sent,
                    clock.Elapsed));
            }
        })).ToList();

        TimeSpan killedAt, frozenAt, thawedAt;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            Signal(frozen, "STOP");
            frozenAt = clock.Elapsed;
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10));
            }
            finally
            {
                Signal(frozen, "CONT");
                thawedAt = clock.Elapsed;
            }

            await Task.Delay(TimeSpan.FromSeconds(3));
            killed.Kill();
            await killed.WaitForExitAsync();
            killedAt = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(8));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(clients);
        }

        var all = results.ToList();
        var failed = all.Where(r => r.Status != HttpStatusCode.OK).ToList();
        var slowest = all.MaxBy(r => r.At - r.Sent);
        output.WriteLine($"slowest job {(slowest.At - slowest.Sent).TotalSeconds:0.0} s (sent at {slowest.Sent.TotalSeconds:0.0} s, {slowest.Orchestrator})");
        all.ShouldNotContain(r => r.Orchestrator == "o1" && r.Sent > frozenAt && r.At < thawedAt, "the frozen orchestrator answers nothing while it is stopped");
        output.WriteLine($"{all.Count} jobs, {failed.Count} failed; served by o1 {all.Count(r => r.Orchestrator == "o1")}, o2 {all.Count(r => r.Orchestrator == "o2")}");
        all.Count.ShouldBeGreaterThanOrEqualTo(50, "the two clients kept the network busy through the run");
        (failed.Count * 100).ShouldBeLessThan(all.Count, $"lost {failed.Count} of {all.Count}: {string.Join(" | ", failed.Take(3).Select(f => $"{(int)f.Status} {f.Error}"))}");
        all.Where(r => r.Status == HttpStatusCode.OK).ShouldAllBe(r => r.Fee > 0, "every job is paid");
        all.ShouldContain(r => r.Status == HttpStatusCode.OK && r.Orchestrator == "o1" && r.At > killedAt, "the thawed orchestrator carries the load after the other is killed");

        using var gateway = network.CreateClient();
        var metrics = await gateway.GetStringAsync("/metrics");
        output.WriteLine(string.Join('\n', metrics.Split('\n').Where(l => l.StartsWith("livepeer_gateway_queue", StringComparison.Ordinal) || l.StartsWith("livepeer_gateway_failovers_total", StringComparison.Ordinal))));
        var woken = WokenCount().Match(metrics);
        woken.Success.ShouldBeTrue("jobs waited in the capacity queue and were dispatched when a slot freed");
        long.Parse(woken.Groups[1].Value, CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
    }

    /// <summary>The orchestrator process this test's network started (the AppHost runs the built binary, so its PID is the service's).</summary>
    private Process ProcessOf(string orchestrator)
    {
        var resource = network.Network.OrchestratorResource(orchestrator);
        network.Network.App.ResourceNotifications.TryGetCurrentState(resource, out var state).ShouldBeTrue();
        var pid = state!.Snapshot.Properties.SingleOrDefault(p => p.Name == "executable.pid")?.Value;
        var process = Process.GetProcessById(Convert.ToInt32(pid, CultureInfo.InvariantCulture));
        process.ProcessName.ShouldContain("Orchestrator", Case.Insensitive, "the PID of the resource is the orchestrator service itself");
        return process;
    }

    private static void Signal(Process process, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        kill.ExitCode.ShouldBe(0, $"kill -{signal} {process.Id}");
    }

    [GeneratedRegex("""livepeer_gateway_queue_exits_total\{pipeline="text-to-image",exit="Woken"\} (\d+)""")]
    private static partial Regex WokenCount();
}
