using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Stats;
using Spectre.Console;

namespace LivepeerAspire.LoadTests.Running;

/// <summary>Plans, runs and summarises one <see cref="RunSpec"/>, with a live progress bar on a terminal.</summary>
public sealed class RunExecutor(HttpClient http, TimeProvider time, bool showProgress, TextWriter log)
{
    public async Task<(RunSummary Summary, IReadOnlyList<RequestRecord> Records)> ExecuteAsync(RunSpec spec, CancellationToken cancel)
    {
        var plan = JobPlan.Create(spec.Scenario, spec.Simulation, spec.WarmUp, spec.MaxRequests, spec.Seed);
        var factory = new JobRequestFactory(spec.Options.Gateway, spec.Scenario, spec.Seed, spec.Models, spec.Headers);
        var runner = new LoadRunner(http, time);
        var progress = new RunProgress();
        await log.WriteLineAsync($"run {spec.Label}: {spec.Simulation.Describe()}, warm-up {spec.WarmUp.TotalSeconds:0.###} s, scenario {spec.Scenario.Name}, seed {spec.Seed}");
        var task = runner.RunAsync(plan, factory, spec.Options, progress, cancel);
        if (showProgress)
        {
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async ctx =>
                {
                    var bar = ctx.AddTask(Markup.Escape(spec.Label), maxValue: Math.Max(1, (spec.WarmUp + spec.Simulation.Duration).TotalSeconds));
                    var started = time.GetTimestamp();
                    while (!task.IsCompleted)
                    {
                        await Task.WhenAny(task, Task.Delay(250, cancel));
                        var elapsed = time.GetElapsedTime(started).TotalSeconds;
                        bar.Value = Math.Min(bar.MaxValue, elapsed);
                        var draining = elapsed > bar.MaxValue ? " (draining)" : "";
                        bar.Description = Markup.Escape($"{spec.Label}: sent {progress.Sent}, done {progress.Completed}, failed {progress.Failed}, in flight {progress.InFlight}{draining}");
                    }

                    bar.Value = bar.MaxValue;
                });
        }

        var records = (await task).Select(r => r with
        {
            Run = spec.Label,
            Orchestrator = r.Orchestrator is { } uri && spec.OrchestratorNames.TryGetValue(uri.TrimEnd('/'), out var name) ? name : r.Orchestrator,
        }).ToList();
        var summary = SummaryBuilder.Build(spec.Label, spec.Scenario, plan, records, spec.Slo, spec.Options.RequestTimeout, spec.Parameters);
        var o = summary.Overall;
        await log.WriteLineAsync(
            $"run {spec.Label}: {o.Count} measured, {o.Ok} ok, {o.Failed} failed ({o.Timeouts} timeouts); p50 {o.Latency.P50:0.#} ms, p99 {o.Latency.P99:0.#} ms; " +
            (summary.LoadModel == "open" ? $"target {summary.TargetRps:0.##}/s, achieved {summary.AchievedRps:0.##}/s" : $"closed model, {summary.AchievedRps:0.##}/s") + $"{(summary.GeneratorOverloaded ? " — GENERATOR OVERLOADED: " + summary.OverloadReason : "")}");
        return (summary, records);
    }

    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        MaxConnectionsPerServer = int.MaxValue,
        AllowAutoRedirect = false,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
