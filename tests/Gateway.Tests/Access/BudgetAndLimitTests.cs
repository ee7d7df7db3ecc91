using System.Net;
using System.Numerics;
using LivepeerAspire.Gateway.Access;
using LivepeerAspire.Gateway.Access.Storage;
using LivepeerAspire.Gateway.Payments;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using static LivepeerAspire.Gateway.Tests.Access.AccessControlTests;

namespace LivepeerAspire.Gateway.Tests.Access;

/// <summary>Budgets from fees paid, rate limits, the usage queue when the database goes away, and what is never logged.</summary>
public sealed class BudgetAndLimitTests
{
    private static readonly BigInteger JobFee = 10 * AccessHost.WeiPerToken;

    [Fact]
    public async Task A_budget_refuses_the_job_that_would_pass_it_before_anything_is_paid_or_sent()
    {
        await using var host = await AccessHost.StartAsync();
        var key = await host.CreateKeyAsync("capped", budget: (JobFee * 5 / 2).ToString());

        using var first = await host.LlmAsync(key);
        using var second = await host.LlmAsync(key);
        using var third = await host.LlmAsync(key);
        using var fourth = await host.LlmAsync(key);

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        third.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await DetailMsg(third)).ShouldContain("would take the key past its budget");
        fourth.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        host.Orchestrator.JobCount.ShouldBe(2);
        host.Payments.Completed.Where(c => c.Outcome == PaymentOutcome.Succeeded).Count().ShouldBe(2);
        host.Payments.Completed.Where(c => c.Outcome != PaymentOutcome.Succeeded).ShouldAllBe(c => c.Outcome == PaymentOutcome.Refused);
        var view = await host.KeyViewAsync("capped");
        BigInteger.Parse(view.GetProperty("spent_wei").GetString()!).ShouldBe(JobFee * 2);
        BigInteger.Parse(view.GetProperty("reserved_wei").GetString()!).ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task Concurrent_jobs_never_take_a_key_past_its_budget()
    {
        await using var host = await AccessHost.StartAsync();
        var budget = JobFee * 3 + JobFee / 2;
        var key = await host.CreateKeyAsync("busy", budget: budget.ToString());
        host.Orchestrator.Delay = TimeSpan.FromMilliseconds(300);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => host.LlmAsync(key)));

        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(3);
        responses.Count(r => r.StatusCode == HttpStatusCode.Forbidden).ShouldBe(5);
        var paid = responses.Where(r => r.StatusCode == HttpStatusCode.OK).Aggregate(BigInteger.Zero, (sum, r) => sum + AccessHost.Fee(r));
        paid.ShouldBeLessThanOrEqualTo(budget);
        BigInteger.Parse((await host.KeyViewAsync("busy")).GetProperty("spent_wei").GetString()!).ShouldBe(paid);
        foreach (var r in responses)
        {
            r.Dispose();
        }
    }

    [Fact]
    public async Task Spend_survives_a_restart_and_the_budget_still_holds()
    {
        var directory = Directory.CreateTempSubdirectory("access-tests-").FullName;
        string key;
        await using (var before = await AccessHost.StartAsync(new() { ["Access:UsageFlushInterval"] = "01:00:00" }, directory: directory))
        {
            key = await before.CreateKeyAsync("kept", budget: (JobFee * 2).ToString());
            using var job = await before.LlmAsync(key);
            job.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await using var after = await AccessHost.StartAsync(directory: directory);
        BigInteger.Parse((await after.KeyViewAsync("kept")).GetProperty("spent_wei").GetString()!).ShouldBe(JobFee);
        using var second = await after.LlmAsync(key);
        using var third = await after.LlmAsync(key);
        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        third.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Over_its_request_rate_a_key_gets_429_with_retry_after_in_each_routes_shape()
    {
        await using var host = await AccessHost.StartAsync();
        var key = await host.CreateKeyAsync("slow", rpm: 2);
        var other = await host.CreateKeyAsync("other", rpm: 2);

        using var first = await host.LlmAsync(key);
        using var second = await host.LlmAsync(key);
        using var third = await host.LlmAsync(key);
        using var openAi = await host.LlmAsync(key, path: "/v1/chat/completions");
        using var otherKey = await host.LlmAsync(other);

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        third.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        int.Parse(third.Headers.GetValues("Retry-After").Single()).ShouldBeGreaterThanOrEqualTo(1);
        (await DetailMsg(third)).ShouldContain("over its limit of 2 requests per minute");
        openAi.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        System.Text.Json.JsonDocument.Parse(await openAi.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("message").GetString()!
            .ShouldStartWith("API key 'slow' is over its limit");
        otherKey.StatusCode.ShouldBe(HttpStatusCode.OK);
        host.Orchestrator.JobCount.ShouldBe(3);
    }

    [Fact]
    public async Task Over_its_token_rate_an_llm_job_gets_429_and_a_request_beyond_the_whole_minute_gets_400()
    {
        await using var host = await AccessHost.StartAsync();
        var key = await host.CreateKeyAsync("tokens", tpm: 100);

        using var first = await host.LlmAsync(key, maxTokens: 60);
        using var second = await host.LlmAsync(key, maxTokens: 60);
        using var tooBig = await host.LlmAsync(key, maxTokens: 150);

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        second.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        second.Headers.Contains("Retry-After").ShouldBeTrue();
        (await DetailMsg(second)).ShouldContain("100 LLM tokens per minute");
        tooBig.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await DetailMsg(tooBig)).ShouldContain("max_tokens 150 is more than");
        host.Orchestrator.JobCount.ShouldBe(1);
    }

    [Fact]
    public async Task While_the_database_is_away_usage_waits_in_a_bounded_queue_new_jobs_get_503_and_nothing_is_lost()
    {
        await using var host = await AccessHost.StartAsync(new() { ["Access:UsageQueueCapacity"] = "2" }, switchableStore: true);
        var key = await host.CreateKeyAsync("patient");
        var recorder = host.Gateway.Get<UsageRecorder>();

        host.Store!.Down = true;
        using var first = await host.LlmAsync(key);
        using var second = await host.LlmAsync(key);
        using var refused = await host.LlmAsync(key);
        var waiting = recorder.Pending;
        host.Store.Down = false;
        await recorder.FlushAsync(CancellationToken.None);
        using var later = await host.LlmAsync(key);

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        refused.Headers.Contains("Retry-After").ShouldBeTrue();
        (await DetailMsg(refused)).ShouldContain("usage cannot be recorded");
        waiting.ShouldBe(2);
        later.StatusCode.ShouldBe(HttpStatusCode.OK);
        var total = (await host.UsageAsync()).GetProperty("totals").EnumerateArray().Single();
        total.GetProperty("jobs").GetInt64().ShouldBe(3);
        BigInteger.Parse(total.GetProperty("fee_wei").GetString()!).ShouldBe(JobFee * 3);
        host.Orchestrator.JobCount.ShouldBe(3);
    }

    [Fact]
    public async Task A_clean_shutdown_writes_every_waiting_usage_row()
    {
        var directory = Directory.CreateTempSubdirectory("access-tests-").FullName;
        await using (var host = await AccessHost.StartAsync(new() { ["Access:UsageFlushInterval"] = "01:00:00", ["Access:UsageBatchSize"] = "1000" }, directory: directory))
        {
            var key = await host.CreateKeyAsync("last");
            for (var i = 0; i < 5; i++)
            {
                using var job = await host.LlmAsync(key);
                job.StatusCode.ShouldBe(HttpStatusCode.OK);
            }

            host.Gateway.Get<UsageRecorder>().Pending.ShouldBe(5);
        }

        var store = new SqlAccessStore("sqlite", $"Data Source={Path.Combine(directory, "access.db")}");
        var totals = await store.TotalsAsync(DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow.AddMinutes(1), long.MaxValue, CancellationToken.None);
        totals.Single().Jobs.ShouldBe(5);
        totals.Single().FeeWei.ShouldBe(JobFee * 5);
    }

    [Fact]
    public async Task Keys_are_stored_hashed_and_neither_key_nor_hash_appears_in_logs_or_traces()
    {
        var logs = new CollectingLoggerProvider();
        var tags = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                tags.Enqueue(a.DisplayName);
                foreach (var t in a.TagObjects)
                {
                    tags.Enqueue($"{t.Key}={t.Value}");
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        string key;
        string directory;
        await using (var host = await AccessHost.StartAsync(configure: b =>
                     {
                         b.Logging.AddProvider(logs);
                         b.Logging.SetMinimumLevel(LogLevel.Trace);
                     }))
        {
            directory = host.Directory;
            key = await host.CreateKeyAsync("quiet");
            using var job = await host.LlmAsync(key);
            using var bad = await host.LlmAsync(key + "x");
            using var revoke = await host.Admin(HttpMethod.Delete, "/admin/keys/quiet");
            using var refused = await host.LlmAsync(key);
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        var hash = ApiKeys.Hash(key);
        var head = key[..12];
        logs.Lines.ShouldNotBeEmpty();
        logs.Lines.ShouldContain(l => l.Contains("API key quiet", StringComparison.Ordinal));
        logs.Lines.ShouldNotContain(l => l.Contains(key, StringComparison.Ordinal) || l.Contains(hash, StringComparison.OrdinalIgnoreCase) || l.Contains(head, StringComparison.Ordinal));
        tags.ShouldNotContain(t => t.Contains(head, StringComparison.Ordinal) || t.Contains(hash, StringComparison.OrdinalIgnoreCase));
        var database = string.Concat(Directory.GetFiles(directory, "access.db*").Select(f => System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        var secret = key[4..];
        database.ShouldNotContain(secret);
        database.ShouldContain(hash);
    }

    private sealed class CollectingLoggerProvider : ILoggerProvider
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CollectingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Enqueue(formatter(state, exception) + " " + exception);
        }
    }
}
