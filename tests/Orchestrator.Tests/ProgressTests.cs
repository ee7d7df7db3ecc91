using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using LivepeerAspire.Orchestrator.Payments;
using LivepeerAspire.Protocol.Progress;
using Microsoft.Extensions.DependencyInjection;

namespace LivepeerAspire.Orchestrator.Tests;

/// <summary>
/// Pay per progress on the orchestrator (docs/orchestrator.md § Pay per progress): this test plays the gateway, a
/// <see cref="FakeRunner"/> reports steps, and a recording <see cref="IPaymentReceiver"/> shows what was credited and
/// what was debited.
/// </summary>
public sealed class ProgressTests
{
    private const int Steps = 10;
    private const int ChunkSteps = 3; // chunks: 1–3, 4–6, 7–9, 10
    private const long Units = 64 * 32 * 2;

    private sealed class RecordingPayments : IPaymentReceiver
    {
        public ConcurrentQueue<PaymentContext> Processed { get; } = new();
        public ConcurrentQueue<PaymentContext> Debited { get; } = new();

        public ValueTask<PaymentDecision> ProcessPaymentAsync(PaymentContext job, CancellationToken ct)
        {
            Processed.Enqueue(job);
            return ValueTask.FromResult(PaymentDecision.Accept("0xsender"));
        }

        public void DebitFees(PaymentContext job, PaymentDecision accepted) => Debited.Enqueue(job);

        public PaymentStats Stats => new(Processed.Count, 0, 0, "0");
    }

    private static async Task<(FakeRunner Runner, OrchestratorHost Orch, RecordingPayments Payments)> StartAsync(string grace)
    {
        var payments = new RecordingPayments();
        var runner = await FakeRunner.StartAsync();
        runner.ProgressSteps = Steps;
        var orch = await OrchestratorHost.StartAsync(
            $$"""[{"pipeline":"text-to-image","model_id":"stabilityai/sdxl-turbo","url":"{{runner.Url}}","price_per_unit":3,"pixels_per_unit":2}]""",
            new Dictionary<string, string?> { ["Orchestrator:ProgressPaymentGrace"] = grace },
            s => s.AddSingleton<IPaymentReceiver>(payments));
        await orch.WaitReadyAsync();
        return (runner, orch, payments);
    }

    private static HttpRequestMessage Job(string id, string chunkSteps = "3")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/text-to-image")
        {
            Content = new StringContent("""{"prompt":"x","height":64,"width":32,"num_images_per_prompt":2}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(ProgressHeaders.Progress, chunkSteps);
        request.Headers.Add(ProgressHeaders.Job, id);
        return request;
    }

    private static Task<HttpResponseMessage> PayAsync(OrchestratorHost orch, string id, int chunk)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, ProgressHeaders.PaymentRoute);
        request.Headers.Add(ProgressHeaders.Job, id);
        request.Headers.Add(ProgressHeaders.Chunk, chunk.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return orch.Client.SendAsync(request);
    }

    /// <summary>Reads the orchestrator's events, calling <paramref name="onEvent"/> for each, until the stream ends.</summary>
    private static async Task<List<SseEvent>> ReadAsync(HttpResponseMessage response, Func<SseEvent, Task> onEvent)
    {
        var all = new List<SseEvent>();
        var reader = new SseEventReader();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            foreach (var e in reader.Feed(buffer.AsSpan(0, read)))
            {
                all.Add(e);
                await onEvent(e);
            }
        }

        return all;
    }

    private static ProgressEvent Progress(SseEvent e) => JsonSerializer.Deserialize<ProgressEvent>(e.Data, Protocol.Wire.WireJson.Options)!;

    [Fact]
    public async Task A_paid_job_relays_every_step_and_debits_each_chunk_once_adding_up_to_the_plain_fee()
    {
        var (runner, orch, payments) = await StartAsync("00:00:05");
        await using (runner)
        await using (orch)
        {
            using var response = await orch.Client.SendAsync(Job("job-paid-1"), HttpCompletionOption.ResponseHeadersRead);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Headers.GetValues(ProgressHeaders.Progress).ShouldBe(["3"]);
            var paid = 0;
            var events = await ReadAsync(response, async e =>
            {
                if (e.Name != ProgressHeaders.EventProgress)
                {
                    return;
                }

                var p = Progress(e);
                if (p.Chunk!.Value + 1 > paid && p.Chunk!.Value < p.Chunks!.Value)
                {
                    paid = p.Chunk.Value + 1;
                    (await PayAsync(orch, "job-paid-1", paid)).StatusCode.ShouldBe(HttpStatusCode.OK);
                }
            });

            events.Where(e => e.Name == ProgressHeaders.EventProgress).Select(e => Progress(e).Step).ShouldBe(Enumerable.Range(0, Steps + 1));
            events.Last().Name.ShouldBe(ProgressHeaders.EventResult);
            paid.ShouldBe(4);

            // The request's own payment is the entry deposit for 0 units; each chunk is credited and debited once.
            payments.Processed.Select(p => p.Units).ShouldBe([0, 1228, 1229, 1229, 410]);
            payments.Debited.Select(p => p.Units).ShouldBe([1228, 1229, 1229, 410]);
            payments.Debited.Sum(p => p.Units).ShouldBe(Units);
        }
    }

    [Fact]
    public async Task Payments_for_chunks_not_reached_repeated_or_for_unknown_jobs_are_refused_and_credit_nothing()
    {
        var (runner, orch, payments) = await StartAsync("00:00:05");
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        runner.BeforeStep = (step, ct) => step == 1 ? hold.Task.WaitAsync(ct) : Task.CompletedTask;
        await using (runner)
        await using (orch)
        {
            using var response = await orch.Client.SendAsync(Job("job-refuse-1"), HttpCompletionOption.ResponseHeadersRead);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            var reading = ReadAsync(response, _ => Task.CompletedTask);
            await WaitUntilAsync(() => runner.LastStep == 0);

            var early = await PayAsync(orch, "job-refuse-1", 2);
            early.StatusCode.ShouldBe(HttpStatusCode.Conflict);
            (await Errors.DetailAsync(early)).ShouldContain("chunk 2 is not the next to pay");
            (await PayAsync(orch, "job-refuse-1", 1)).StatusCode.ShouldBe(HttpStatusCode.OK);
            var twice = await PayAsync(orch, "job-refuse-1", 1);
            twice.StatusCode.ShouldBe(HttpStatusCode.Conflict);
            var ahead = await PayAsync(orch, "job-refuse-1", 2);
            ahead.StatusCode.ShouldBe(HttpStatusCode.Conflict);
            (await Errors.DetailAsync(ahead)).ShouldContain("chunk 2 is not reached: job 'job-refuse-1' has delivered 0 chunks");
            var unknown = await PayAsync(orch, "job-unknown-1", 1);
            unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await PayAsync(orch, "bad id!", 1)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

            // Deposit + chunk 1 only.
            payments.Processed.Select(p => p.Units).ShouldBe([0, 1228]);
            hold.SetResult();
            await reading;
            var after = await PayAsync(orch, "job-refuse-1", 2);
            after.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            payments.Processed.Count.ShouldBe(2);
        }
    }

    [Fact]
    public async Task A_gateway_that_stops_paying_has_the_job_stopped_within_one_chunk_the_runner_cancelled_and_only_paid_chunks_debited()
    {
        var (runner, orch, payments) = await StartAsync("00:00:00");
        // Slow after chunk 2 (steps 7 on), so a loaded machine cannot let the runner finish before it is stopped.
        runner.BeforeStep = (step, ct) => Task.Delay(step <= 2 * ChunkSteps ? 30 : 1000, ct);
        await using (runner)
        await using (orch)
        {
            using var response = await orch.Client.SendAsync(Job("job-unpaid-1"), HttpCompletionOption.ResponseHeadersRead);
            var paidOnce = false;
            var events = await ReadAsync(response, async e =>
            {
                if (e.Name == ProgressHeaders.EventProgress && Progress(e).Step == 0 && !paidOnce)
                {
                    paidOnce = true; // pays chunk 1, then stops paying
                    (await PayAsync(orch, "job-unpaid-1", 1)).StatusCode.ShouldBe(HttpStatusCode.OK);
                }
            });

            await runner.ProgressCancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
            events.Last().Name.ShouldBe(ProgressHeaders.EventError);
            events.Last().Data.ShouldContain("payment for chunk 2 of 4 did not arrive");
            events.ShouldNotContain(e => e.Name == ProgressHeaders.EventResult);
            // Chunk 2 ends at step 6; the runner was stopped before finishing chunk 3.
            runner.LastStep.ShouldBeLessThanOrEqualTo(2 * ChunkSteps + ChunkSteps);
            payments.Debited.Select(p => p.Units).ShouldBe([1228]);
            orch.App.Services.GetRequiredService<Jobs.Progress.ProgressJobs>().Count.ShouldBe(0);
        }
    }

    [Fact]
    public async Task A_gateway_that_disconnects_cancels_the_runner()
    {
        var (runner, orch, payments) = await StartAsync("00:00:05");
        runner.BeforeStep = (_, ct) => Task.Delay(50, ct);
        await using (runner)
        await using (orch)
        {
            using var gone = new CancellationTokenSource();
            var response = await orch.Client.SendAsync(Job("job-gone-1"), HttpCompletionOption.ResponseHeadersRead);
            var stream = await response.Content.ReadAsStreamAsync();
            var reading = stream.CopyToAsync(Stream.Null, gone.Token);
            await WaitUntilAsync(() => runner.LastStep >= 0);
            (await PayAsync(orch, "job-gone-1", 1)).StatusCode.ShouldBe(HttpStatusCode.OK);
            await gone.CancelAsync(); // a cancelled read closes the connection
            await Should.ThrowAsync<OperationCanceledException>(reading);
            response.Dispose();

            await runner.ProgressCancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
            runner.LastStep.ShouldBeLessThan(Steps);
            payments.Debited.Count.ShouldBeLessThanOrEqualTo(1);
        }
    }

    [Theory]
    [InlineData("0", "Livepeer-Progress must be a chunk size in steps between 1 and 1000 (got '0')")]
    [InlineData("five", "Livepeer-Progress must be a chunk size in steps between 1 and 1000 (got 'five')")]
    public async Task A_bad_chunk_size_is_a_400_naming_the_header(string value, string message)
    {
        var (runner, orch, _) = await StartAsync("00:00:05");
        await using (runner)
        await using (orch)
        {
            var response = await orch.Client.SendAsync(Job("job-bad-1", value));
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await Errors.DetailAsync(response)).ShouldBe(message);
            runner.Jobs.ShouldBeEmpty();
        }
    }

    [Fact]
    public async Task Progress_is_refused_where_the_runner_does_not_report_steps()
    {
        var runner = await FakeRunner.StartAsync();
        var orch = await OrchestratorHost.StartAsync($$"""[{"pipeline":"text-to-image","model_id":"stabilityai/sdxl-turbo","url":"{{runner.Url}}"}]""");
        await using (runner)
        await using (orch)
        {
            await orch.WaitReadyAsync();
            var response = await orch.Client.SendAsync(Job("job-none-1"));
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await Errors.DetailAsync(response)).ShouldContain("progress is not offered for text-to-image stabilityai/sdxl-turbo");

            // Without the header the same job is plain request/response.
            var plain = await orch.Client.PostAsync("/text-to-image", new StringContent("""{"prompt":"x"}""", Encoding.UTF8, "application/json"));
            plain.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        condition().ShouldBeTrue();
    }
}
