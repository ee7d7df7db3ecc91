using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Tests.Fakes;

namespace LivepeerAspire.Gateway.Tests.Selection;

public sealed class AdaptiveTests
{
    private static readonly PipelineModel Target = new(PipelineCatalog.TextToImage, "m");

    private readonly ManualTimeProvider time = new();

    private (StrategySelector Selection, SpeedTracker Speeds) Setup(AdaptiveOptions? adaptive = null)
    {
        var selection = TestSessions.Selection(new SelectionOptions { Strategy = "adaptive", Adaptive = adaptive ?? new AdaptiveOptions() });
        return (selection, new SpeedTracker(selection, time));
    }

    [Fact]
    public void An_orchestrator_that_looked_slow_is_measured_again_once_its_sample_is_old()
    {
        var (selection, speeds) = Setup(new AdaptiveOptions { ReprobeAfter = TimeSpan.FromMinutes(1) });
        var fast = TestSessions.Session("http://fast:1/");
        var once = TestSessions.Session("http://timedout:1/");
        speeds.Record(fast.Key, Target, TimeSpan.FromSeconds(1), 100);
        speeds.Record(once.Key, Target, TimeSpan.FromSeconds(60), 100);
        var strategy = new AdaptiveStrategy();
        SelectionContext Context() => TestSessions.Context(selection, new Random(1), work: 100, speeds: speeds);

        strategy.Select([fast, once], Context()).Session.ShouldBe(fast);
        time.Advance(TimeSpan.FromMinutes(2));
        speeds.Record(fast.Key, Target, TimeSpan.FromSeconds(1), 100);
        strategy.Select([fast, once], Context()).Session.ShouldBe(once);
        strategy.Select([fast, once], Context()).Session.ShouldBe(fast);
    }

    [Fact]
    public void Prefers_the_measured_faster_orchestrator_until_its_queue_makes_the_slow_one_finish_first()
    {
        var (selection, speeds) = Setup();
        var fast = TestSessions.Session("http://fast:1/");
        var slow = TestSessions.Session("http://slow:1/");
        speeds.Record(fast.Key, Target, TimeSpan.FromSeconds(1), 100);   // 0.01 s/unit
        speeds.Record(slow.Key, Target, TimeSpan.FromSeconds(10), 100);  // 0.1 s/unit
        var strategy = new AdaptiveStrategy();
        var context = TestSessions.Context(selection, new Random(1), work: 100, speeds: speeds);

        strategy.Select([slow, fast], context).Session.ShouldBe(fast);

        // 1,000 units queued on the fast one: (1000 + 100) × 0.01 = 11 s > 100 × 0.1 = 10 s.
        fast.Begin(1000);
        strategy.Select([slow, fast], context).Session.ShouldBe(slow);
    }

    [Fact]
    public void Counts_queued_work_in_full_whatever_capacity_the_orchestrator_advertises()
    {
        // Capacity is admission slots, not parallelism: a GPU that admits 4 but serves one at a time queues the rest.
        var (selection, speeds) = Setup();
        var busyFast = TestSessions.Session("http://fast:1/", capacity: 4);
        var idleSlower = TestSessions.Session("http://slower:1/", capacity: 4);
        speeds.Record(busyFast.Key, Target, TimeSpan.FromSeconds(1), 100);    // 0.01 s/unit
        speeds.Record(idleSlower.Key, Target, TimeSpan.FromSeconds(1.5), 100); // 0.015 s/unit
        busyFast.Begin(100);
        var strategy = new AdaptiveStrategy();

        // (100 + 100) × 0.01 = 2 s on the busy one against 100 × 0.015 = 1.5 s on the idle one; dividing the queue by
        // capacity (1.25 s) would have queued it behind the busy one.
        strategy.Select([busyFast, idleSlower], TestSessions.Context(selection, new Random(1), work: 100, speeds: speeds))
            .Session.ShouldBe(idleSlower);
        AdaptiveStrategy.Expected(busyFast, 0.01, 100).ShouldBe(2.0, 1e-9);
    }

    [Fact]
    public void Skips_an_orchestrator_whose_capacity_this_gateway_already_fills_unless_all_are_full()
    {
        var (selection, speeds) = Setup();
        var fullFast = TestSessions.Session("http://fast:1/", capacity: 2);
        var slow = TestSessions.Session("http://slow:1/", capacity: 1);
        speeds.Record(fullFast.Key, Target, TimeSpan.FromSeconds(1), 100);
        speeds.Record(slow.Key, Target, TimeSpan.FromSeconds(10), 100);
        fullFast.Begin(1);
        fullFast.Begin(1);
        var strategy = new AdaptiveStrategy();
        SelectionContext Context() => TestSessions.Context(selection, new Random(1), work: 100, speeds: speeds);

        // Expected: fast (2 + 100) × 0.01 ≈ 1 s, slow 10 s — but fast has 2 of its 2 slots taken by this gateway.
        strategy.Select([fullFast, slow], Context()).Session.ShouldBe(slow);
        slow.Begin(100);
        strategy.Select([fullFast, slow], Context()).Session.ShouldBe(fullFast); // both full: the best estimate
    }

    [Fact]
    public void When_only_orchestrators_too_slow_for_the_deadline_have_room_a_full_one_that_can_make_it_is_chosen()
    {
        var (selection, speeds) = Setup();
        var fullFast = TestSessions.Session("http://fast:1/", capacity: 1);
        var slowWithRoom = TestSessions.Session("http://slow:1/", capacity: 4);
        speeds.Record(fullFast.Key, Target, TimeSpan.FromSeconds(1), 100);
        speeds.Record(slowWithRoom.Key, Target, TimeSpan.FromSeconds(20), 100);
        fullFast.Begin(100);

        // 5 s left: fast (100 + 100) × 0.01 = 2 s but full; slow 20 s with room. Refusing with "no orchestrator can finish
        // within the deadline: best 2 s" would be wrong.
        new AdaptiveStrategy().Select([fullFast, slowWithRoom], TestSessions.Context(selection, new Random(1), work: 100, remaining: TimeSpan.FromSeconds(5), speeds: speeds))
            .Session.ShouldBe(fullFast);
    }

    [Fact]
    public void Skips_orchestrators_that_cannot_meet_the_deadline_and_says_why_when_none_can()
    {
        var (selection, speeds) = Setup();
        var fast = TestSessions.Session("http://fast:1/");
        var slow = TestSessions.Session("http://slow:1/");
        speeds.Record(fast.Key, Target, TimeSpan.FromSeconds(1), 100);
        speeds.Record(slow.Key, Target, TimeSpan.FromSeconds(10), 100);
        fast.Begin(1000);
        var strategy = new AdaptiveStrategy();

        // Expected: fast 11 s, slow 10 s. With 10.5 s left only slow fits; with 5 s neither does.
        strategy.Select([fast, slow], TestSessions.Context(selection, new Random(1), work: 100, remaining: TimeSpan.FromSeconds(10.5), speeds: speeds))
            .Session.ShouldBe(slow);
        slow.Begin(100);
        var none = strategy.Select([fast, slow], TestSessions.Context(selection, new Random(1), work: 100, remaining: TimeSpan.FromSeconds(5), speeds: speeds));
        none.Session.ShouldBeNull();
        none.Reason!.ShouldContain("deadline");
    }

    [Fact]
    public void Unknown_orchestrators_get_a_bounded_number_of_exploration_jobs()
    {
        var (selection, speeds) = Setup(new AdaptiveOptions { ExplorationJobs = 2 });
        var known = TestSessions.Session("http://known:1/");
        var unknown = TestSessions.Session("http://new:1/");
        speeds.Record(known.Key, Target, TimeSpan.FromSeconds(1), 100);
        var strategy = new AdaptiveStrategy();
        var picks = Enumerable.Range(0, 6)
            .Select(_ => strategy.Select([known, unknown], TestSessions.Context(selection, new Random(1), work: 100, speeds: speeds)).Session!.Key)
            .ToList();
        picks.Count(p => p == unknown.Key).ShouldBe(2);
        picks.Take(2).ShouldAllBe(p => p == unknown.Key);
    }

    [Fact]
    public void With_the_default_budget_it_never_pays_more_on_average_than_an_even_spread_over_the_candidates()
    {
        // Prices 300/200/100 (mean 200); the dearest is the fastest and the mid-priced the slowest. Pure speed ranking
        // would pay 300 a job; under the budget, cheap picks pay for the dear one and the slow mid one is never needed.
        var (selection, speeds) = Setup();
        var sessions = new[] { ("http://dear:1/", 300L, 1.0), ("http://mid:1/", 200L, 3.0), ("http://cheap:1/", 100L, 2.0) }
            .Select(x =>
            {
                var session = TestSessions.Session(x.Item1, price: x.Item2);
                speeds.Record(session.Key, Target, TimeSpan.FromSeconds(x.Item3), 100);
                return session;
            })
            .ToList();
        var strategy = new AdaptiveStrategy();
        var paid = new List<long>();
        foreach (var _ in Enumerable.Range(0, 300))
        {
            var chosen = strategy.Select(sessions, TestSessions.Context(selection, new Random(1), work: 100, speeds: speeds)).Session!;
            paid.Add(chosen.PricePerUnit!.Value.ToDouble() is var p ? (long)p : 0);
        }

        paid.Average().ShouldBeLessThanOrEqualTo(200.0);
        paid.Average().ShouldBeGreaterThan(180.0, "the savings are spent, not hoarded");
        paid.ShouldContain(300L, "savings from cheap picks buy the fast orchestrator part of the time");
        paid.ShouldNotContain(200L);
        strategy.Spend.Savings(Target).ShouldBeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public void The_budget_sets_the_average_price_below_the_mean_included_and_zero_ignores_price()
    {
        var cheapSlow = TestSessions.Session("http://cheap:1/", price: 100);
        var dearFast = TestSessions.Session("http://dear:1/", price: 200);
        double AveragePaid(double budget)
        {
            var (selection, speeds) = Setup(new AdaptiveOptions { CostBudget = budget });
            speeds.Record(cheapSlow.Key, Target, TimeSpan.FromSeconds(2), 100);
            speeds.Record(dearFast.Key, Target, TimeSpan.FromSeconds(1), 100);
            var strategy = new AdaptiveStrategy();
            return Enumerable.Range(0, 200)
                .Average(_ => strategy.Select([cheapSlow, dearFast], TestSessions.Context(selection, new Random(1), work: 100, speeds: speeds)).Session!.PricePerUnit!.Value.ToDouble());
        }

        AveragePaid(0).ShouldBe(200);          // price ignored: always the fast one
        AveragePaid(1).ShouldBe(150, 1.0);     // the mean: half and half
        AveragePaid(0.8).ShouldBe(120, 1.0);   // 20 % under the mean: four cheap jobs pay for one fast one
        AveragePaid(0.5).ShouldBe(100);        // below the cheapest price: always the cheapest
    }

    [Fact]
    public void Meeting_the_deadline_comes_before_the_budget_and_the_debt_is_paid_back_afterwards()
    {
        var (selection, speeds) = Setup();
        var cheapSlow = TestSessions.Session("http://cheap:1/", price: 100);
        var dearFast = TestSessions.Session("http://dear:1/", price: 300);
        speeds.Record(cheapSlow.Key, Target, TimeSpan.FromSeconds(2), 100);
        speeds.Record(dearFast.Key, Target, TimeSpan.FromSeconds(1), 100);
        var strategy = new AdaptiveStrategy();
        SelectionContext Context(double seconds) =>
            TestSessions.Context(selection, new Random(1), work: 100, remaining: TimeSpan.FromSeconds(seconds), speeds: speeds);

        // 1.5 s left: only the dear one (1 s) can make it, so it is chosen however deep the account goes into debt.
        for (var i = 0; i < 4; i++)
        {
            strategy.Select([cheapSlow, dearFast], Context(1.5)).Session.ShouldBe(dearFast);
        }

        strategy.Spend.Savings(Target).ShouldBe(-4 * 100 * 100, 1e-6); // 4 × (200 − 300) × 100 units
        var repay = Enumerable.Range(0, 4).Select(_ => strategy.Select([cheapSlow, dearFast], Context(60)).Session).ToList();
        repay.ShouldAllBe(s => s == cheapSlow);
        strategy.Spend.Savings(Target).ShouldBe(0, 1e-6);
    }

    [Fact]
    public void Saving_money_never_puts_a_job_more_than_the_latency_slack_behind_the_soonest_finish()
    {
        var cheapQueued = TestSessions.Session("http://cheap:1/", price: 100, capacity: 4);
        var dearIdle = TestSessions.Session("http://dear:1/", price: 300);
        cheapQueued.Begin(100); // one job ahead of this one
        AiSessionChoice(1).ShouldBe(dearIdle);   // cheap finishes at 3 s, more than 1 × 1 s after the dear one's 1 s
        AiSessionChoice(3).ShouldBe(cheapQueued); // a 3 s slack lets the price decide: 3 − 4 × 0.5 × 1 < 1 + 4 × 0.5 × 1

        Gateway.Sessions.AiSession AiSessionChoice(double slack)
        {
            var (selection, speeds) = Setup(new AdaptiveOptions { LatencySlack = slack });
            speeds.Record(cheapQueued.Key, Target, TimeSpan.FromSeconds(1.5), 100); // 0.015 s/unit: (100 + 100) × 0.015 = 3 s
            speeds.Record(dearIdle.Key, Target, TimeSpan.FromSeconds(1), 100);      // 0.01 s/unit: 1 s
            return new AdaptiveStrategy().Select([cheapQueued, dearIdle], TestSessions.Context(selection, new Random(1), work: 100, speeds: speeds)).Session!;
        }
    }

    [Fact]
    public void A_gpu_too_slow_for_the_latency_slack_does_not_count_in_the_budget_price()
    {
        var (selection, speeds) = Setup();
        var fast = TestSessions.Session("http://fast:1/", price: 300);
        var ok = TestSessions.Session("http://ok:1/", price: 100);
        var offloading = TestSessions.Session("http://4060:1/", price: 10);
        speeds.Record(fast.Key, Target, TimeSpan.FromSeconds(1), 100);
        speeds.Record(ok.Key, Target, TimeSpan.FromSeconds(2), 100);
        speeds.Record(offloading.Key, Target, TimeSpan.FromSeconds(10), 100); // beyond (1 + 1.5) × 1 s
        var strategy = new AdaptiveStrategy();

        strategy.Select([fast, ok, offloading], TestSessions.Context(selection, new Random(1), work: 100, speeds: speeds));

        // Budget = mean(300, 100) = 200, not mean(300, 100, 10) = 136.7: the idle cheap one (+100 × 100 saved) is chosen.
        strategy.Spend.Savings(Target).ShouldBe(100 * 100, 1e-6);
    }

    [Fact]
    public void An_unmeasured_orchestrator_gets_one_exploration_job_at_a_time()
    {
        var (selection, speeds) = Setup(new AdaptiveOptions { ExplorationJobs = 2 });
        var known = TestSessions.Session("http://known:1/");
        var slowNew = TestSessions.Session("http://new:1/");
        speeds.Record(known.Key, Target, TimeSpan.FromSeconds(1), 100);
        var strategy = new AdaptiveStrategy();
        SelectionContext Context() => TestSessions.Context(selection, new Random(1), work: 100, speeds: speeds);

        strategy.Select([known, slowNew], Context()).Session.ShouldBe(slowNew);
        slowNew.Begin(100); // still running: a second exploration would queue behind it
        strategy.Select([known, slowNew], Context()).Session.ShouldBe(known);
        slowNew.End(100);
        strategy.Select([known, slowNew], Context()).Session.ShouldBe(slowNew); // its second exploration job
    }

    [Fact]
    public void The_budget_is_set_by_the_whole_pool_not_just_the_candidates_left_after_cooldowns()
    {
        var (selection, speeds) = Setup();
        var dear = TestSessions.Session("http://dear:1/", price: 300);
        var cooling = TestSessions.Session("http://cooling:1/", price: 100);
        speeds.Record(dear.Key, Target, TimeSpan.FromSeconds(1), 100);
        var strategy = new AdaptiveStrategy();

        strategy.Select([dear], TestSessions.Context(selection, new Random(1), work: 100, speeds: speeds) with { Pool = [dear, cooling] });

        strategy.Spend.Savings(Target).ShouldBe(-100 * 100, 1e-6); // budget = mean(300, 100) = 200, paid 300
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_negative_or_non_finite_cost_budget_or_latency_slack_is_refused_with_the_reason(double value)
    {
        new SelectionOptions { Adaptive = new AdaptiveOptions { CostBudget = value } }.Validate()
            .ShouldHaveSingleItem().ShouldContain("Selection:Adaptive:CostBudget");
        new SelectionOptions { Adaptive = new AdaptiveOptions { LatencySlack = value } }.Validate()
            .ShouldHaveSingleItem().ShouldContain("Selection:Adaptive:LatencySlack");
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1)]
    [InlineData(double.NaN)]
    public void A_tail_share_outside_0_to_below_1_is_refused_with_the_reason(double value)
    {
        new SelectionOptions { Adaptive = new AdaptiveOptions { TailShare = value } }.Validate()
            .ShouldHaveSingleItem().ShouldContain("Selection:Adaptive:TailShare");
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.05, 10)]
    [InlineData(0.1, 20)]
    public void In_budget_debt_a_tail_share_of_jobs_goes_to_a_cheap_idle_gpu_beyond_the_latency_slack(double share, int expectedTail)
    {
        // The cheap card takes 10 s against the fast card's 1 s: beyond the 1.5 × 1 s slack, so it is not in the budget
        // price (300 × 0.9 = 270) and the account is in debt after the first pick. Only the tail share reaches it.
        var (selection, speeds) = Setup(new AdaptiveOptions { CostBudget = 0.9, TailShare = share });
        var dearFast = TestSessions.Session("http://dear:1/", price: 300);
        var cheapSlow = TestSessions.Session("http://cheap:1/", price: 100);
        speeds.Record(dearFast.Key, Target, TimeSpan.FromSeconds(1), 100);
        speeds.Record(cheapSlow.Key, Target, TimeSpan.FromSeconds(10), 100);
        var strategy = new AdaptiveStrategy();

        var picks = Enumerable.Range(0, 200)
            .Select(_ => strategy.Select([dearFast, cheapSlow], TestSessions.Context(selection, new Random(1), work: 100, speeds: speeds)).Session)
            .ToList();

        picks.Count(p => p == cheapSlow).ShouldBe(expectedTail);
        strategy.Spend.Counts(Target).ShouldBe((200L, (long)expectedTail));
        picks[0].ShouldBe(dearFast, "no tail pick before the account is in debt");
    }

    [Fact]
    public void A_tail_pick_never_queues_on_a_slow_gpu_nor_risks_the_deadline_nor_happens_while_the_budget_holds()
    {
        var (selection, speeds) = Setup(new AdaptiveOptions { CostBudget = 0.9, TailShare = 0.5 });
        var dearFast = TestSessions.Session("http://dear:1/", price: 300);
        var cheapSlow = TestSessions.Session("http://cheap:1/", price: 100, capacity: 4);
        speeds.Record(dearFast.Key, Target, TimeSpan.FromSeconds(1), 100);
        speeds.Record(cheapSlow.Key, Target, TimeSpan.FromSeconds(10), 100);
        var strategy = new AdaptiveStrategy();
        Gateway.Sessions.AiSession Choose(double secondsLeft) =>
            strategy.Select([dearFast, cheapSlow], TestSessions.Context(selection, new Random(1), work: 100, remaining: TimeSpan.FromSeconds(secondsLeft), speeds: speeds)).Session!;

        Choose(60).ShouldBe(dearFast);  // account even: no debt yet
        Choose(5).ShouldBe(dearFast);   // in debt, but 10 s on the cheap card would miss a 5 s deadline
        cheapSlow.Begin(100);
        Choose(60).ShouldBe(dearFast);  // the cheap card is busy: a tail job would wait behind another one
        cheapSlow.End(100);
        Choose(60).ShouldBe(cheapSlow);
        strategy.Spend.Counts(Target).ShouldBe((4L, 1L));
    }

    [Fact]
    public void Power_of_two_samples_in_proportion_to_speed_so_the_fast_orchestrators_take_most_jobs()
    {
        var (selection, speeds) = Setup(new AdaptiveOptions { Mode = "power-of-two" });
        var sessions = Enumerable.Range(0, 6).Select(i => TestSessions.Session($"http://o{i}:1/")).ToList();
        for (var i = 0; i < 6; i++)
        {
            speeds.Record(sessions[i].Key, Target, TimeSpan.FromSeconds(i < 3 ? 1 : 10), 100);
        }

        var strategy = new AdaptiveStrategy();
        var random = new Random(5);
        var fastPicks = Enumerable.Range(0, 3000)
            .Count(_ => strategy.Select(sessions, TestSessions.Context(selection, random, work: 100, speeds: speeds)).Session!.Key is var k && sessions.Take(3).Any(s => s.Key == k));
        fastPicks.ShouldBeGreaterThan(2900);
    }

    [Fact]
    public void Ewma_weights_the_newest_sample_by_alpha()
    {
        var (_, speeds) = Setup(new AdaptiveOptions { EwmaAlpha = 0.5 });
        speeds.Record("o", Target, TimeSpan.FromSeconds(2), 1);
        speeds.Record("o", Target, TimeSpan.FromSeconds(4), 1);
        speeds.Get("o", Target)!.SecondsPerUnit.ShouldBe(3, 1e-9);
    }
}
