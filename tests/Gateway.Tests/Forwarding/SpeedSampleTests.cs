using LivepeerAspire.Gateway.Forwarding;
using LivepeerAspire.Gateway.Observability;
using LivepeerAspire.Gateway.Payments;
using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Gateway.Timeouts;
using LivepeerAspire.Protocol.Pipelines;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Tests.Forwarding;

/// <summary>
/// The speed sample JobDispatcher feeds the EWMA: a job's time divided by the work ahead of it at that orchestrator
/// plus its own, the same model AdaptiveStrategy.Expected predicts with. Dividing by the job's own work alone counts
/// the queue twice (once in the sample, once in the prediction) and made busy fast orchestrators look slow.
/// </summary>
public sealed class SpeedSampleTests
{
    private const string Model = "stabilityai/sdxl-turbo";
    private const string Url = "http://127.0.0.1:9/";

    [Fact]
    public async Task A_job_queued_behind_another_measures_the_same_speed_as_the_job_ahead_of_it()
    {
        var time = new ManualTimeProvider();
        var network = new FakeInfoClient();
        network.Network[Url] = TestSessions.Info(Url, PipelineCatalog.TextToImage, Model, capacity: 4);
        var sessions = network.Manager(time);
        var selection = TestSessions.Selection(new SelectionOptions());
        var speeds = new SpeedTracker(selection, time);
        using var metrics = new GatewayMetrics(time);
        var dispatcher = new JobDispatcher(sessions, new OffChainPaymentSender(), speeds, new Cooldowns(time), metrics, time,
            new StaticMonitor<TimeoutOptions>(new TimeoutOptions()));
        var first = new TaskCompletionSource<AttemptResult>();
        var second = new TaskCompletionSource<AttemptResult>();
        var answers = new Queue<TaskCompletionSource<AttemptResult>>([first, second]);
        var bothSent = new TaskCompletionSource();
        JobDispatcher.Sender send = (_, _) =>
        {
            lock (answers)
            {
                var answer = answers.Dequeue();
                if (answers.Count == 0)
                {
                    bothSent.SetResult();
                }

                return answer.Task;
            }
        };

        // Two jobs of 100 units on a GPU that serves one at a time at 0.01 s per unit: the first takes 1 s, the second
        // waits for it and finishes at 2 s.
        var a = dispatcher.RunAsync(Job(time), send, default);
        var b = dispatcher.RunAsync(Job(time), send, default);
        await bothSent.Task.WaitAsync(TimeSpan.FromSeconds(30)); // selection may hop threads before it sends
        time.Advance(TimeSpan.FromSeconds(1));
        first.SetResult(AttemptResult.Success([]));
        (await a).Ok.ShouldBeTrue();
        time.Advance(TimeSpan.FromSeconds(1));
        second.SetResult(AttemptResult.Success([]));
        (await b).Ok.ShouldBeTrue();

        var entry = speeds.Get(sessions.SelectorFor(PipelineCatalog.TextToImage, Model).WarmPool.Sessions.Single().Key, PipelineCatalog.TextToImage.Name, Model)!;
        entry.Samples.ShouldBe(2);
        entry.SecondsPerUnit.ShouldBe(0.01, 1e-12); // 1 s / 100 and 2 s / (100 ahead + 100): the EWMA does not move
    }

    private static GatewayJob Job(TimeProvider time) => new()
    {
        Pipeline = PipelineCatalog.TextToImage,
        ModelId = Model,
        Units = new JobUnits(100, 100),
        Body = [],
        ContentType = "application/json",
        Deadline = TimeSpan.FromMinutes(1),
        StartedTimestamp = time.GetTimestamp(),
    };

    private sealed class StaticMonitor<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
