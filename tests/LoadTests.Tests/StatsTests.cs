using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Load;
using LivepeerAspire.LoadTests.Running;
using LivepeerAspire.LoadTests.Stats;

namespace LivepeerAspire.LoadTests.Tests;

public sealed class StatsTests
{
    [Fact]
    public void Distribution_of_one_to_ten_matches_hand_computed_values()
    {
        var d = Distribution.Of(Enumerable.Range(1, 10).Select(i => (double)(11 - i)));

        d.Count.ShouldBe(10);
        d.Min.ShouldBe(1);
        d.Max.ShouldBe(10);
        d.Mean.ShouldBe(5.5);
        d.StdDev.ShouldBe(Math.Sqrt(82.5 / 9), 1e-12); // Σ(x−5.5)² = 82.5, n−1 = 9
        d.P50.ShouldBe(5);  // ceil(0.50·10) = 5th
        d.P75.ShouldBe(8);  // ceil(7.5) = 8th
        d.P90.ShouldBe(9);
        d.P95.ShouldBe(10); // ceil(9.5) = 10th
        d.P99.ShouldBe(10);
        d.P999.ShouldBe(10);
    }

    [Fact]
    public void Nearest_rank_follows_the_textbook_example()
    {
        double[] sorted = [15, 20, 35, 40, 50];

        Distribution.NearestRank(sorted, 5).ShouldBe(15);
        Distribution.NearestRank(sorted, 30).ShouldBe(20);
        Distribution.NearestRank(sorted, 40).ShouldBe(20);
        Distribution.NearestRank(sorted, 50).ShouldBe(35);
        Distribution.NearestRank(sorted, 100).ShouldBe(50);
    }

    [Fact]
    public void P999_of_a_thousand_samples_is_the_999th_not_the_maximum()
    {
        var d = Distribution.Of(Enumerable.Range(1, 1000).Select(i => (double)i));

        d.P999.ShouldBe(999);
        d.P99.ShouldBe(990);
        d.Max.ShouldBe(1000);
    }

    [Fact]
    public void Empty_sample_gives_NaN_not_zero()
    {
        var d = Distribution.Of([]);

        d.Count.ShouldBe(0);
        double.IsNaN(d.P99).ShouldBeTrue();
        double.IsNaN(d.Mean).ShouldBeTrue();
    }

    [Fact]
    public void Group_stats_match_hand_computed_values()
    {
        RequestRecord[] records =
        [
            new() { Index = 0, Job = "llm-stream", Phase = "measure", IntendedMs = 0, SentMs = 1, EndMs = 100, Status = 200, Outcome = Outcomes.Ok, TtftMs = 20, ItlMs = [10, 20, 30, 20], Tokens = 5, Orchestrator = "a", Attempts = 1, FeeWei = "100" },
            new() { Index = 1, Job = "llm", Phase = "measure", IntendedMs = 100, SentMs = 100, EndMs = 400, Status = 200, Outcome = Outcomes.Ok, Tokens = 7, Orchestrator = "b", Attempts = 2, FeeWei = "200" },
            new() { Index = 2, Job = "llm", Phase = "measure", IntendedMs = 200, SentMs = 200, EndMs = 1200, Outcome = Outcomes.Timeout, Error = "no complete answer within 1 s" },
            new() { Index = 3, Job = "llm", Phase = "measure", IntendedMs = 300, SentMs = 300, EndMs = 310, Status = 503, Outcome = Outcomes.Error, Error = "503 insufficient capacity", FeeWei = "0", Attempts = 3 },
        ];

        var g = GroupStats.Of("all", records, seconds: 2, runTotal: 8, new Slo(LatencyMs: 200));

        g.Count.ShouldBe(4);
        g.Ok.ShouldBe(2);
        g.Failed.ShouldBe(2);
        g.Timeouts.ShouldBe(1);
        g.Rps.ShouldBe(2);
        g.OkRps.ShouldBe(1);
        g.Latency.Mean.ShouldBe(200);
        g.Latency.Min.ShouldBe(100);
        g.Latency.Max.ShouldBe(300);
        g.Latency.StdDev.ShouldBe(Math.Sqrt(20000), 1e-9);
        g.Latency.P50.ShouldBe(100);
        g.ServiceTime.Min.ShouldBe(99);
        g.Ttft.Count.ShouldBe(1);
        g.Ttft.P50.ShouldBe(20);
        g.Itl.Count.ShouldBe(4);
        g.Itl.Mean.ShouldBe(20);
        g.Itl.P50.ShouldBe(20);
        g.Tpot.P50.ShouldBe(20); // (100 − 20) / (5 − 1)
        g.OutputTokens.ShouldBe(12);
        g.Good.ShouldBe(1);
        g.GoodputRps.ShouldBe(0.5);
        g.Share.ShouldBe(0.5);
        g.TotalFeeWei.ShouldBe("300");
        g.CostPerJobWei.ShouldBe(75);
        g.CostPerOkJobWei.ShouldBe(150);
        g.MeanAttempts.ShouldBe(2);
        g.SuccessRate.ShouldBe(0.5);
        g.FailureReasons.ShouldBe(new Dictionary<string, int> { ["503 insufficient capacity"] = 1, ["no complete answer within 1 s"] = 1 });
    }

    [Fact]
    public void The_same_failure_at_different_orchestrators_is_one_reason()
    {
        RequestRecord[] records =
        [
            new() { Job = "llm", Phase = "measure", Outcome = Outcomes.Error, Error = "503 tried: http://127.0.0.1:4001: insufficient capacity; http://127.0.0.1:4002/: insufficient capacity" },
            new() { Job = "llm", Phase = "measure", Outcome = Outcomes.Error, Error = "503 tried: http://127.0.0.1:4002/: insufficient capacity; http://127.0.0.1:4001: insufficient capacity" },
            new() { Job = "llm", Phase = "measure", Outcome = Outcomes.Timeout },
        ];

        GroupStats.Of("x", records, 1, 3, Slo.None).FailureReasons.ShouldBe(new Dictionary<string, int>
        {
            ["503 tried: <url> insufficient capacity; <url> insufficient capacity"] = 2,
            ["timeout"] = 1,
        });
    }

    [Fact]
    public void Fees_beyond_64_bits_are_summed_exactly()
    {
        RequestRecord[] records =
        [
            new() { Job = "llm", Phase = "measure", Outcome = Outcomes.Ok, EndMs = 1, FeeWei = "18446744073709551615" },
            new() { Job = "llm", Phase = "measure", Outcome = Outcomes.Ok, EndMs = 1, FeeWei = "18446744073709551617" },
        ];

        GroupStats.Of("x", records, 1, 2, Slo.None).TotalFeeWei.ShouldBe("36893488147419103232");
    }

    [Fact]
    public void Slo_requires_every_bound_and_success()
    {
        var slo = new Slo(LatencyMs: 1000, TtftMs: 100);
        var fast = new RequestRecord { Job = "llm-stream", Phase = "measure", Outcome = Outcomes.Ok, EndMs = 500, TtftMs = 50 };

        slo.Meets(fast).ShouldBeTrue();
        slo.Meets(fast with { TtftMs = 150 }).ShouldBeFalse();
        slo.Meets(fast with { EndMs = 1500 }).ShouldBeFalse();
        slo.Meets(fast with { Outcome = Outcomes.Error }).ShouldBeFalse();
        Slo.None.Meets(fast with { EndMs = 1e9 }).ShouldBeTrue();
    }

    [Fact]
    public void A_generator_that_falls_behind_is_flagged_and_its_lag_kept_apart_from_latency()
    {
        // The schedule asks for 100/s for 2 s; the generator manages one send every 20 ms, so request i goes out
        // at 20·i ms instead of 10·i ms and its lag grows to about a second. Every answer takes 5 ms.
        ScenarioCatalog.TryResolve("text-to-image", out var scenario, out var error).ShouldBeTrue(error);
        var plan = JobPlan.Create(scenario!, new InjectSimulation(100, TimeSpan.FromSeconds(2)), TimeSpan.Zero, 1000, 1);
        var records = plan.Requests.Select(p => new RequestRecord
        {
            Index = p.Index, Job = "text-to-image", Phase = "measure", Status = 200, Outcome = Outcomes.Ok,
            IntendedMs = p.Intended!.Value.TotalMilliseconds, SentMs = 20.0 * p.Index, EndMs = (20.0 * p.Index) + 5,
        }).ToList();

        var summary = SummaryBuilder.Build("behind", scenario!, plan, records, Slo.None, TimeSpan.FromSeconds(30));

        plan.Requests.Count.ShouldBe(200);
        summary.Overall.Latency.Min.ShouldBeGreaterThanOrEqualTo(0);
        summary.Overall.Latency.Min.ShouldBe(5);                 // request 0 was on time
        summary.Overall.Latency.Max.ShouldBe((199 * 10) + 5);     // lag (1990 ms) + 5 ms: late sends count in latency
        summary.Overall.ServiceTime.Max.ShouldBe(5);             // … but not in the service time
        summary.SendLag.Min.ShouldBe(0);
        summary.SendLag.Max.ShouldBe(199 * 10);
        summary.SendLag.P50.ShouldBe(99 * 10);                   // nearest rank: the 100th of 200 lags
        summary.TargetRps.ShouldBe(100);
        summary.AchievedRps.ShouldBe(200 / ((199 * 0.020) + 0.010), 1e-9);
        summary.GeneratorOverloaded.ShouldBeTrue();
        summary.OverloadReason.ShouldContain("of the 100/s asked for");
        summary.OverloadReason.ShouldContain($"p99 send lag {summary.SendLag.P99:0.#} ms");
    }

    [Fact]
    public void A_generator_that_keeps_up_is_not_flagged()
    {
        ScenarioCatalog.TryResolve("text-to-image", out var scenario, out var error).ShouldBeTrue(error);
        var plan = JobPlan.Create(scenario!, new InjectSimulation(100, TimeSpan.FromSeconds(2)), TimeSpan.Zero, 1000, 1);
        var records = plan.Requests.Select(p => new RequestRecord
        {
            Index = p.Index, Job = "text-to-image", Phase = "measure", Status = 200, Outcome = Outcomes.Ok,
            IntendedMs = p.Intended!.Value.TotalMilliseconds, SentMs = p.Intended!.Value.TotalMilliseconds + 0.5,
            EndMs = p.Intended!.Value.TotalMilliseconds + 5,
        }).ToList();

        var summary = SummaryBuilder.Build("on time", scenario!, plan, records, Slo.None, TimeSpan.FromSeconds(30));

        summary.GeneratorOverloaded.ShouldBeFalse(summary.OverloadReason);
        summary.SendLag.P99.ShouldBe(0.5);
        summary.Overall.Latency.P50.ShouldBe(5);
    }
}
