using LivepeerAspire.Protocol.Pipelines.Contracts;
using LivepeerAspire.Gateway.Forwarding;
using LivepeerAspire.Gateway.Observability;
using LivepeerAspire.Gateway.Payments;
using LivepeerAspire.Gateway.Queueing;
using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Gateway.Timeouts;
using LivepeerAspire.Protocol.Pipelines;

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
        var dispatcher = new JobDispatcher(sessions, new OffChainPaymentSender(), speeds, new Cooldowns(time),
            new CapacityQueue(time, new StaticMonitor<QueueOptions>(new QueueOptions()), metrics), metrics, time,
            new StaticMonitor<TimeoutOptions>(new TimeoutOptions()));
        // Answers are handed out in send order, and the second job is only started once the first has sent, so the job
        // that measured no work ahead is always the one answered first. (Starting both at once let selection hop
        // threads and the second job send first: the test then waited for an answer it had not given yet, forever.)
        TaskCompletionSource<AttemptResult>[] answers = [Later<AttemptResult>(), Later<AttemptResult>()];
        TaskCompletionSource[] sent = [Later(), Later()];
        var calls = -1;
        JobDispatcher.Sender send = (_, _) =>
        {
            var call = Interlocked.Increment(ref calls);
            sent[call].SetResult();
            return answers[call].Task;
        };

        // Two jobs of 100 units on a GPU that serves one at a time at 0.01 s per unit: the first takes 1 s, the second
        // waits for it and finishes at 2 s.
        var a = dispatcher.RunAsync(Job(time), send, default);
        await sent[0].Task.WaitAsync(Patience);
        var b = dispatcher.RunAsync(Job(time), send, default);
        await sent[1].Task.WaitAsync(Patience);
        time.Advance(TimeSpan.FromSeconds(1));
        answers[0].SetResult(AttemptResult.Success([]));
        (await a.WaitAsync(Patience)).Ok.ShouldBeTrue();
        time.Advance(TimeSpan.FromSeconds(1));
        answers[1].SetResult(AttemptResult.Success([]));
        (await b.WaitAsync(Patience)).Ok.ShouldBeTrue();

        var entry = speeds.Get(sessions.SelectorFor(PipelineCatalog.TextToImage, Model).WarmPool.Sessions.Single().Key, new PipelineModel(PipelineCatalog.TextToImage, Model))!;
        entry.Samples.ShouldBe(2);
        entry.SecondsPerUnit.ShouldBe(0.01, 1e-12); // 1 s / 100 and 2 s / (100 ahead + 100): the EWMA does not move
    }

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static TaskCompletionSource<T> Later<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static TaskCompletionSource Later() => new(TaskCreationOptions.RunContinuationsAsynchronously);

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
}
