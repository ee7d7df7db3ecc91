using System.Text.Json.Nodes;
using LivepeerAspire.Gateway.Api;
using LivepeerAspire.Gateway.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Tests.Api;

/// <summary>The async-job store on a manual clock: expiry, count bounds, the pending limit, shutdown.</summary>
public sealed class AsyncJobsTests
{
    private readonly ManualTimeProvider clock = new();

    private AsyncJobs Jobs(AsyncJobsOptions? options = null) =>
        new(Options.Create(options ?? new AsyncJobsOptions()), clock, NullLogger<AsyncJobs>.Instance);

    private static async Task<JsonObject> Done(string name)
    {
        await Task.Yield();
        return new JsonObject { ["images"] = new JsonArray(name) };
    }

    private static async Task<AsyncJobState> CompletedAsync(AsyncJobs jobs, string id)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var state = jobs.Find(id);
            state.ShouldNotBeNull();
            if (state.Complete)
            {
                return state;
            }

            await Task.Delay(5, limit.Token);
        }
    }

    [Fact]
    public void Defaults_are_valid() => new AsyncJobsOptions().Validate().ShouldBeEmpty();

    [Fact]
    public async Task A_finished_result_is_kept_for_its_ttl_by_the_injected_clock()
    {
        using var jobs = Jobs(new AsyncJobsOptions { ResultTtl = TimeSpan.FromHours(1) });
        var id = jobs.Start(_ => Done("a"));
        (await CompletedAsync(jobs, id)).Result!.Value.GetProperty("images")[0].GetString().ShouldBe("a");

        clock.Advance(TimeSpan.FromMinutes(59));
        jobs.Find(id).ShouldNotBeNull();
        clock.Advance(TimeSpan.FromMinutes(1));
        jobs.Find(id).ShouldBeNull();
    }

    [Fact]
    public async Task A_running_job_does_not_expire_and_its_ttl_starts_when_it_finishes()
    {
        using var jobs = Jobs(new AsyncJobsOptions { ResultTtl = TimeSpan.FromMinutes(10) });
        var release = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = jobs.Start(_ => release.Task);
        clock.Advance(TimeSpan.FromHours(3));
        jobs.Find(id)!.Complete.ShouldBeFalse();

        release.SetResult(new JsonObject { ["images"] = new JsonArray() });
        await CompletedAsync(jobs, id);
        clock.Advance(TimeSpan.FromMinutes(9));
        jobs.Find(id).ShouldNotBeNull();
        clock.Advance(TimeSpan.FromMinutes(1));
        jobs.Find(id).ShouldBeNull();
    }

    [Fact]
    public async Task Past_MaxResults_the_oldest_finished_result_is_dropped()
    {
        using var jobs = Jobs(new AsyncJobsOptions { MaxResults = 2 });
        var ids = new List<string>();
        foreach (var name in new[] { "a", "b", "c" })
        {
            var id = jobs.Start(_ => Done(name));
            await CompletedAsync(jobs, id);
            ids.Add(id);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        jobs.Find(ids[0]).ShouldBeNull();
        jobs.Find(ids[1]).ShouldNotBeNull();
        jobs.Find(ids[2]).ShouldNotBeNull();
    }

    [Fact]
    public async Task MaxPending_running_jobs_refuse_one_more_with_503_until_one_finishes()
    {
        using var jobs = Jobs(new AsyncJobsOptions { MaxPending = 1 });
        var release = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = jobs.Start(_ => release.Task);
        var refused = Should.Throw<GatewayError>(() => jobs.Start(_ => Done("b")));
        refused.Status.ShouldBe(503);
        refused.Message.ShouldContain("AsyncJobs:MaxPending");

        release.SetResult(new JsonObject());
        await CompletedAsync(jobs, first);
        await CompletedAsync(jobs, jobs.Start(_ => Done("c")));
    }

    [Fact]
    public async Task A_failing_job_completes_with_an_error_result()
    {
        using var jobs = Jobs();
        var id = jobs.Start(_ => throw new InvalidOperationException("boom"));
        var state = await CompletedAsync(jobs, id);
        state.Result!.Value.GetProperty("error").GetProperty("msg").GetString()!.ShouldContain("boom");
        jobs.Pending.ShouldBe(0);
    }

    [Fact]
    public async Task Stopping_cancels_running_jobs_and_refuses_new_ones()
    {
        using var jobs = Jobs();
        var id = jobs.Start(async ct =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return new JsonObject();
        });
        jobs.Find(id)!.Complete.ShouldBeFalse();

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await jobs.StopAsync(stop.Token);
        var state = jobs.Find(id)!;
        state.Complete.ShouldBeTrue();
        state.Result!.Value.GetProperty("error").GetProperty("msg").GetString().ShouldBe(AsyncJobs.ShutdownMessage);
        Should.Throw<GatewayError>(() => jobs.Start(_ => Done("late"))).Status.ShouldBe(503);
    }
}
