using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using Aspire.Hosting.ApplicationModel;
using LivepeerAspire.Protocol.Payments;

namespace LivepeerAspire.Networks.Chaos;

/// <summary>What became of one scheduled fault: when it really started and ended (run time), and what it left behind.</summary>
public sealed record ChaosOutcome(ChaosFault Fault, TimeSpan Started, TimeSpan Ended, TimeSpan? Healthy, string? Error)
{
    /// <summary>Ticket hashes (hex) of the winners a killed orchestrator held unredeemed on disk when it died.</summary>
    public IReadOnlyList<string> WinnersHeldAtKill { get; init; } = [];

    /// <summary>
    /// A kill's last reading of the counters happens an instant before the SIGKILL: a job finished in between was
    /// debited and answered, but its debit died with the process. From the fault's start to the kill (run time).
    /// </summary>
    public (TimeSpan From, TimeSpan To)? KillWindow { get; init; }
}

/// <summary>
/// Runs a chaos schedule against a network the AppHost started: orchestrator processes are killed (SIGKILL from
/// outside, then <c>resource-start</c> through the AppHost) or frozen (SIGSTOP/SIGCONT); GPU faults go to the
/// simulator's admin API. Before a kill it reads the orchestrator's counters (<see cref="OrchestratorAccounts"/>),
/// and after it the winning tickets the dead process left on disk, so the audit can follow them.
/// </summary>
public sealed class ChaosInjector(LivepeerNetwork network, Uri simulator, HttpClient http, OrchestratorAccounts accounts,
    IReadOnlyDictionary<string, IReadOnlyList<ChaosGpu>> targets, Action<string>? log = null)
{
    private const int SigKill = 9;
    private const int SigCont = 18;
    private const int SigStop = 19;

    /// <summary>Orchestrators frozen or dead right now: the once-a-second reading leaves them alone.</summary>
    private readonly HashSet<string> away = new(StringComparer.Ordinal);

    /// <summary>Runs every fault at its time from <paramref name="start"/> (a <see cref="Stopwatch"/> timestamp); clears what is still on when cancelled.</summary>
    public async Task<IReadOnlyList<ChaosOutcome>> RunAsync(IReadOnlyList<ChaosFault> schedule, long start, CancellationToken cancel)
    {
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var sampler = SampleLoopAsync(start, sampling.Token);
        try
        {
            return await Task.WhenAll(schedule.Select(f => RunOneAsync(f, start, cancel)));
        }
        finally
        {
            await sampling.CancelAsync();
            await sampler;
        }
    }

    /// <summary>Reads every orchestrator that is not frozen or dead about once a second, so a lifetime's last reading is recent.</summary>
    private async Task SampleLoopAsync(long start, CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            List<string> names;
            lock (away)
            {
                names = accounts.Names.Where(n => !away.Contains(n)).ToList();
            }

            try
            {
                await Task.WhenAll(names.Select(n => accounts.SampleAsync(n, TimeSpan.FromSeconds(1), cancel)));
                await Task.Delay(TimeSpan.FromSeconds(1), cancel);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<ChaosOutcome> RunOneAsync(ChaosFault fault, long start, CancellationToken cancel)
    {
        TimeSpan Now() => Stopwatch.GetElapsedTime(start);
        try
        {
            var wait = fault.At - Now();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancel);
            }
        }
        catch (OperationCanceledException)
        {
            return new ChaosOutcome(fault, Now(), Now(), null, "not started: the run ended first");
        }

        var started = Now();
        log?.Invoke($"chaos: {fault} (started at {started.TotalSeconds:0.0} s)");
        try
        {
            return fault.Kind switch
            {
                ChaosKinds.Kill => await KillAndRestartAsync(fault, started, Now, cancel),
                ChaosKinds.Freeze => await FreezeAsync(fault, started, Now, cancel),
                _ => await GpuFaultAsync(fault, started, Now, cancel),
            };
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            log?.Invoke($"chaos: {fault} failed: {e.Message}");
            return new ChaosOutcome(fault, started, Now(), null, e.Message);
        }
    }

    private async Task<ChaosOutcome> KillAndRestartAsync(ChaosFault fault, TimeSpan started, Func<TimeSpan> now, CancellationToken cancel)
    {
        var resource = network.OrchestratorResource(fault.Orchestrator);
        lock (away)
        {
            away.Add(fault.Orchestrator);
        }

        try
        {
            // The counters die with the process: read them last thing before the kill.
            await accounts.SampleAsync(fault.Orchestrator, TimeSpan.FromSeconds(2), cancel);
            var pid = Pid(resource);
            Signal(pid, SigKill);
            var window = (started, now());
            await WaitForExitAsync(pid);
            accounts.EndLifetime(fault.Orchestrator);
            var dataDir = Path.Combine(network.RunDirectory, "orchestrators", fault.Orchestrator, "data");
            var held = new WinningTicketFile(Path.Combine(dataDir, WinningTicketFile.FileName)).Load()
                .Select(w => Convert.ToHexStringLower(w.Ticket.Hash())).ToList();
            var killed = now();
            await DelayUntilAsync(fault.End, now, CancellationToken.None);
            // DCP notices the exit on its own; the start command is what the dashboard's Start button sends.
            await WaitForStateAsync(resource, s => s != KnownResourceStates.Running, TimeSpan.FromSeconds(30));
            var result = await network.ExecuteCommandAsync(resource, "resource-start", CancellationToken.None);
            if (!result.Success)
            {
                return new ChaosOutcome(fault, started, killed, null, $"resource-start refused: {result.Message}") { WinnersHeldAtKill = held, KillWindow = window };
            }

            var restarted = now();
            using var healthy = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await network.WaitForHealthyAsync(resource, healthy.Token);
            return new ChaosOutcome(fault, started, restarted, now(), null) { WinnersHeldAtKill = held, KillWindow = window };
        }
        finally
        {
            lock (away)
            {
                away.Remove(fault.Orchestrator);
            }
        }
    }

    private async Task<ChaosOutcome> FreezeAsync(ChaosFault fault, TimeSpan started, Func<TimeSpan> now, CancellationToken cancel)
    {
        var pid = Pid(network.OrchestratorResource(fault.Orchestrator));
        lock (away)
        {
            away.Add(fault.Orchestrator);
        }

        Signal(pid, SigStop);
        try
        {
            await DelayUntilAsync(fault.End, now, cancel);
        }
        finally
        {
            Signal(pid, SigCont);
            lock (away)
            {
                away.Remove(fault.Orchestrator);
            }
        }

        return new ChaosOutcome(fault, started, now(), null, null);
    }

    private async Task<ChaosOutcome> GpuFaultAsync(ChaosFault fault, TimeSpan started, Func<TimeSpan> now, CancellationToken cancel)
    {
        var gpus = targets[fault.Orchestrator]
            .Where(g => fault.Gpu is null ? fault.Kind != ChaosKinds.Stall || g.Pipeline == "llm" : g.Id == fault.Gpu)
            .Select(g => g.Id).ToList();
        var body = ChaosKinds.SimulatorBody(fault.Kind);
        try
        {
            foreach (var gpu in gpus)
            {
                using var response = await http.PostAsJsonAsync(new Uri(simulator, $"admin/gpus/{Uri.EscapeDataString(gpu)}/faults"), body, cancel);
                if (!response.IsSuccessStatusCode)
                {
                    return new ChaosOutcome(fault, started, now(), null, $"the simulator refused {fault.Kind} on {gpu}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancel)}");
                }
            }

            await DelayUntilAsync(fault.End, now, cancel);
        }
        finally
        {
            foreach (var gpu in gpus)
            {
                try
                {
                    using var cleared = await http.DeleteAsync(new Uri(simulator, $"admin/gpus/{Uri.EscapeDataString(gpu)}/faults"), CancellationToken.None);
                }
                catch (HttpRequestException)
                {
                }
            }
        }

        return new ChaosOutcome(fault, started, now(), null, null);
    }

    private static async Task DelayUntilAsync(TimeSpan at, Func<TimeSpan> now, CancellationToken cancel)
    {
        var wait = at - now();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancel);
        }
    }

    private async Task WaitForStateAsync(string resource, Func<string?, bool> done, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!done(network.StateOf(resource)) && clock.Elapsed < limit)
        {
            await Task.Delay(100);
        }
    }

    /// <summary>The orchestrator's process id as DCP reports it (the AppHost runs the built binary, so it is the service itself).</summary>
    private int Pid(string resource)
    {
        if (!network.App.ResourceNotifications.TryGetCurrentState(resource, out var state)
            || state.Snapshot.Properties.SingleOrDefault(p => p.Name == "executable.pid")?.Value is not { } value)
        {
            throw new InvalidOperationException($"{resource} has no process id (state {network.StateOf(resource) ?? "unknown"})");
        }

        return Convert.ToInt32(value, CultureInfo.InvariantCulture);
    }

    private static async Task WaitForExitAsync(int pid)
    {
        for (var i = 0; i < 100 && Kill(pid, 0) == 0; i++)
        {
            await Task.Delay(50);
        }
    }

    private static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
