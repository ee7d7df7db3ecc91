using System.Collections.Concurrent;
using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Load;

namespace LivepeerAspire.LoadTests.Running;

/// <summary>
/// Executes a <see cref="JobPlan"/>. Open model: each request is sent at its intended time whatever happened
/// to earlier ones, latency runs from that intended time, and a generator that falls behind shows as lag.
/// Closed model: copies loop back to back. Every planned request that starts ends up as a record.
/// </summary>
public sealed class LoadRunner(HttpClient http, TimeProvider time)
{
    private readonly JobExecutor executor = new(http, time);

    public async Task<IReadOnlyList<RequestRecord>> RunAsync(
        JobPlan plan,
        JobRequestFactory factory,
        RunOptions options,
        RunProgress progress,
        CancellationToken cancel)
    {
        var total = plan.WarmUp + plan.Simulation.Duration;
        progress.PlannedDuration = total;
        using var runStop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var start = time.GetTimestamp();
        var records = new ConcurrentBag<RequestRecord>();
        var tasks = new List<Task>();
        var inFlight = 0;

        async Task Execute(PlannedRequest p, TimeSpan due, bool open)
        {
            var phase = due < plan.WarmUp ? "warmup" : "measure";
            Interlocked.Increment(ref inFlight);
            progress.OnSent();
            try
            {
                var record = await executor.ExecuteAsync(p, factory.Create(p), start, open ? due : null, phase, options.RequestTimeout, runStop.Token);
                records.Add(record);
                progress.OnCompleted(record);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }

        try
        {
            if (plan.Simulation.IsOpen)
            {
                progress.Planned = plan.Requests.Count;
                foreach (var p in plan.Requests)
                {
                    var due = p.Intended!.Value;
                    await SendPacer.WaitUntilAsync(time, start, due, cancel);

                    if (Volatile.Read(ref inFlight) >= options.MaxInFlight)
                    {
                        var now = time.GetElapsedTime(start).TotalMilliseconds;
                        var notSent = new RequestRecord
                        {
                            Index = p.Index,
                            Job = p.Kind.Name(),
                            Phase = due < plan.WarmUp ? "warmup" : "measure",
                            IntendedMs = due.TotalMilliseconds,
                            SentMs = now,
                            EndMs = now,
                            Outcome = Outcomes.NotSent,
                            Error = $"client: {options.MaxInFlight} requests already in flight",
                        };
                        records.Add(notSent);
                        progress.OnSent();
                        progress.OnCompleted(notSent);
                        continue;
                    }

                    tasks.Add(Task.Run(() => Execute(p, due, open: true), CancellationToken.None));
                }
            }
            else
            {
                var copies = ((KeepConstantSimulation)plan.Simulation).Copies;
                progress.Planned = plan.Requests.Count;
                var next = -1;
                for (var c = 0; c < copies; c++)
                {
                    tasks.Add(Task.Run(
                        async () =>
                        {
                            while (!cancel.IsCancellationRequested)
                            {
                                var now = time.GetElapsedTime(start);
                                if (now >= total)
                                {
                                    break;
                                }

                                var i = Interlocked.Increment(ref next);
                                if (i >= plan.Requests.Count)
                                {
                                    break;
                                }

                                await Execute(plan.Requests[i], now, open: false);
                            }
                        },
                        CancellationToken.None));
                }
            }

            var remaining = total + options.EffectiveDrain - time.GetElapsedTime(start);
            var all = Task.WhenAll(tasks);
            if (remaining > TimeSpan.Zero)
            {
                await Task.WhenAny(all, Task.Delay(remaining, time, cancel));
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }

        await runStop.CancelAsync();
        await Task.WhenAll(tasks);
        return records.OrderBy(r => r.Index).ToList();
    }
}
