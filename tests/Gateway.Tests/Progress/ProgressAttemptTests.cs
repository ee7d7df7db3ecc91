using System.Collections.Concurrent;
using System.Net;
using System.Text;
using LivepeerAspire.Gateway.Forwarding;
using LivepeerAspire.Gateway.Observability;
using LivepeerAspire.Gateway.Payments;
using LivepeerAspire.Gateway.Progress;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pipelines.Contracts;
using Microsoft.Extensions.Time.Testing;

namespace LivepeerAspire.Gateway.Tests.Progress;

/// <summary>
/// The gateway's side of one interactive attempt, driven event by event on a <see cref="FakeTimeProvider"/>: what it
/// pays when, when it gives an orchestrator up and why (docs/gateway.md § Pay per progress).
/// </summary>
public sealed class ProgressAttemptTests
{
    private const int Steps = 10;

    /// <summary>Records chunk payments and answers 200, as an orchestrator that accepts them.</summary>
    private sealed class PaymentEndpoint : HttpMessageHandler
    {
        public ConcurrentQueue<int> Chunks { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Chunks.Enqueue(int.Parse(request.Headers.GetValues("Livepeer-Chunk").Single(), System.Globalization.CultureInfo.InvariantCulture));
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") });
        }
    }

    private sealed class Harness : IAsyncDisposable
    {
        public FakeTimeProvider Time { get; } = new();
        public PaymentEndpoint Endpoint { get; } = new();
        public CancellationTokenSource Attempt { get; } = new();
        public GatewayMetrics Metrics { get; }
        public ProgressAttempt Progress { get; }

        public Harness(TimeSpan deadline, int chunkSteps = 2, double margin = 0)
        {
            Metrics = new GatewayMetrics(Time);
            var job = new GatewayJob
            {
                Pipeline = PipelineCatalog.ImageToVideo,
                ModelId = "m",
                Units = new JobUnits(1000, 1000),
                Body = [],
                ContentType = "multipart/form-data",
                Deadline = deadline,
                StartedTimestamp = Time.GetTimestamp(),
            };
            var session = TestSessions.Session("http://127.0.0.1:9/", PipelineCatalog.ImageToVideo);
            Progress = new ProgressAttempt(job, session, PaymentTicket.Free, new OffChainPaymentSender(), new HttpMessageInvoker(Endpoint),
                Time, new ProgressOptions { ChunkSteps = chunkSteps, StallFactor = 3, StallMinimum = TimeSpan.FromSeconds(0.5), AbandonMargin = margin }, Metrics, 1);
            Progress.Arm(Attempt, CancellationToken.None);
        }

        public async Task StepAsync(int step, int total = Steps, TimeSpan? after = null)
        {
            if (after is { } wait)
            {
                Time.Advance(wait);
            }

            await Progress.WriteAsync(Encoding.UTF8.GetBytes($"event: progress\ndata: {{\"step\":{step},\"total_steps\":{total},\"elapsed_ms\":0}}\n\n"));
        }

        public async Task ResultAsync() =>
            await Progress.WriteAsync(Encoding.UTF8.GetBytes("event: result\ndata: {\"images\":[{\"url\":\"data:image/png;base64,AA==\",\"seed\":1,\"nsfw\":false}]}\n\n"));

        /// <summary>The chunk payments made so far (they run in the background).</summary>
        public async Task<int[]> PaidAsync(int atLeast)
        {
            for (var i = 0; i < 200 && Endpoint.Chunks.Count < atLeast; i++)
            {
                await Task.Delay(10);
            }

            return Endpoint.Chunks.ToArray();
        }

        public async ValueTask DisposeAsync()
        {
            await Progress.FinishAsync();
            Metrics.Dispose();
            Attempt.Dispose();
        }
    }

    [Fact]
    public async Task A_run_on_time_pays_each_chunk_after_the_one_before_was_delivered_and_succeeds()
    {
        await using var h = new Harness(TimeSpan.FromSeconds(60));
        await h.StepAsync(0);
        (await h.PaidAsync(1)).ShouldBe([1]);
        for (var step = 1; step <= Steps; step++)
        {
            await h.StepAsync(step, after: TimeSpan.FromSeconds(1));
            var delivered = step / 2;
            var paid = await h.PaidAsync(Math.Min(delivered + 1, 5));
            // Never more than one chunk paid that has not been seen delivered.
            paid.Length.ShouldBeLessThanOrEqualTo(delivered + 1);
        }

        await h.ResultAsync();
        h.Progress.Outcome!.Ok.ShouldBeTrue();
        (await h.PaidAsync(5)).ShouldBe([1, 2, 3, 4, 5]);
        h.Progress.StepsPerSecond!.Value.ShouldBe(1, tolerance: 1e-9);
        h.Attempt.IsCancellationRequested.ShouldBeFalse();
    }

    [Fact]
    public async Task A_gpu_whose_first_chunk_projects_past_the_deadline_is_abandoned_as_too_slow_with_its_projection()
    {
        await using var h = new Harness(TimeSpan.FromSeconds(10));
        await h.StepAsync(0);
        await h.StepAsync(1, after: TimeSpan.FromSeconds(1.5));
        h.Progress.Outcome.ShouldBeNull(); // within the first chunk nothing is judged
        await h.StepAsync(2, after: TimeSpan.FromSeconds(1.5));

        h.Progress.Outcome!.Failure.ShouldBe(FailureKind.TooSlow);
        h.Progress.AbandonReason.ShouldBe("too_slow");
        h.Progress.ProjectedDuration!.Value.TotalSeconds.ShouldBe(15, tolerance: 1e-6); // 10 steps at 1.5 s
        h.Attempt.IsCancellationRequested.ShouldBeTrue();
        (await h.PaidAsync(2)).Length.ShouldBeLessThanOrEqualTo(2);
    }

    [Fact]
    public async Task A_projection_just_past_the_deadline_is_tolerated_within_the_margin_and_not_beyond()
    {
        // 10 steps at 1.1 s from t = 0 against 10 s: 11 s projected, 10 % over.
        await using (var h = new Harness(TimeSpan.FromSeconds(10), margin: 0.2))
        {
            await h.StepAsync(0);
            await h.StepAsync(1, after: TimeSpan.FromSeconds(1.1));
            await h.StepAsync(2, after: TimeSpan.FromSeconds(1.1));
            h.Progress.Outcome.ShouldBeNull();
        }

        await using (var h = new Harness(TimeSpan.FromSeconds(10), margin: 0.05))
        {
            await h.StepAsync(0);
            await h.StepAsync(1, after: TimeSpan.FromSeconds(1.1));
            await h.StepAsync(2, after: TimeSpan.FromSeconds(1.1));
            h.Progress.Outcome!.Failure.ShouldBe(FailureKind.TooSlow);
        }
    }

    [Fact]
    public async Task A_gpu_that_hangs_before_its_first_chunk_is_given_up_once_even_that_chunk_would_be_too_late()
    {
        await using var h = new Harness(TimeSpan.FromSeconds(10));
        await h.StepAsync(0);
        (await h.PaidAsync(1)).ShouldBe([1]);
        h.Time.Advance(TimeSpan.FromSeconds(1.9));
        h.Progress.Outcome.ShouldBeNull();
        // Chunk 1 (2 of 10 steps) arriving after 2 s would project 10 s: the deadline.
        h.Time.Advance(TimeSpan.FromSeconds(0.2));

        h.Progress.Outcome!.Failure.ShouldBe(FailureKind.TooSlow);
        h.Attempt.IsCancellationRequested.ShouldBeTrue();

        // Its speed sample is the lower bound the silence proves, 2.1 s for at most 2 of 10 steps: 10.5 s, not 2.1 s.
        h.Progress.ProjectedDuration!.Value.TotalSeconds.ShouldBe(10.5, tolerance: 1e-6);
    }

    [Fact]
    public async Task A_gpu_that_stops_reporting_after_a_chunk_is_stalled_and_so_suspended()
    {
        await using var h = new Harness(TimeSpan.FromSeconds(100));
        await h.StepAsync(0);
        await h.StepAsync(2, after: TimeSpan.FromSeconds(1));
        (await h.PaidAsync(2)).ShouldBe([1, 2]);
        h.Time.Advance(TimeSpan.FromSeconds(2.9));
        h.Progress.Outcome.ShouldBeNull();
        h.Time.Advance(TimeSpan.FromSeconds(0.2)); // 3 × the 1 s chunk gap

        h.Progress.Outcome!.Failure.ShouldBe(FailureKind.Timeout); // the dispatcher suspends on Timeout
        h.Progress.AbandonReason.ShouldBe("stalled");
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2, 1 }, 10, "progress went backwards: step 1 after step 2")]
    [InlineData(new[] { 0, 1, 1 }, 10, "progress went backwards: step 1 after step 1")]
    [InlineData(new[] { 0, 11 }, 10, "progress claims step 11 of 10")]
    [InlineData(new[] { 3 }, 10, "the first progress event must be step 0 (got step 3)")]
    public async Task Progress_that_goes_backwards_or_past_n_abandons_the_attempt_as_an_error(int[] steps, int total, string message)
    {
        await using var h = new Harness(TimeSpan.FromSeconds(60));
        foreach (var step in steps)
        {
            await h.StepAsync(step, total, TimeSpan.FromMilliseconds(100));
        }

        h.Progress.Outcome!.Failure.ShouldBe(FailureKind.Error); // the dispatcher suspends on Error
        h.Progress.Outcome.Message.ShouldBe(message);
        h.Progress.AbandonReason.ShouldBe("protocol");
        h.Attempt.IsCancellationRequested.ShouldBeTrue();
    }

    [Fact]
    public async Task A_changed_step_count_or_a_result_before_the_last_step_is_an_error()
    {
        await using (var h = new Harness(TimeSpan.FromSeconds(60)))
        {
            await h.StepAsync(0);
            await h.StepAsync(1, total: 20);
            h.Progress.Outcome!.Message.ShouldBe("total_steps changed from 10 to 20");
        }

        await using (var h = new Harness(TimeSpan.FromSeconds(60)))
        {
            await h.StepAsync(0);
            await h.StepAsync(4, after: TimeSpan.FromSeconds(1));
            await h.ResultAsync();
            h.Progress.Outcome!.Failure.ShouldBe(FailureKind.Error);
            h.Progress.Outcome.Message.ShouldBe("the orchestrator sent a result at step 4 of 10");
        }
    }
}
