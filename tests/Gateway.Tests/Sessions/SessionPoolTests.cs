using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Gateway.Tests.Sessions;

public sealed class SessionPoolTests
{
    private static readonly Pipeline T2i = PipelineCatalog.TextToImage;
    private static readonly HashSet<string> None = [];

    private static FakeInfoClient Network(params (string Url, bool Warm)[] orchestrators)
    {
        var client = new FakeInfoClient();
        foreach (var (url, warm) in orchestrators)
        {
            client.Network[url] = TestSessions.Info(url, T2i, "m", warm);
        }

        return client;
    }

    private static async Task<string> PickAsync(AiSessionManager manager, IReadOnlySet<string>? exclude = null) =>
        (await manager.SelectAsync(T2i, "m", 1, TimeSpan.FromMinutes(1), exclude ?? None, CancellationToken.None)).Session?.Key ?? "none";

    [Fact]
    public async Task Warm_orchestrators_are_tried_before_cold_ones()
    {
        var network = Network(("http://cold1:1/", false), ("http://warm:1/", true), ("http://cold2:1/", false));
        var manager = network.Manager(new ManualTimeProvider());
        for (var i = 0; i < 5; i++)
        {
            (await PickAsync(manager)).ShouldBe("http://warm:1");
        }

        var cold = new[] { await PickAsync(manager, new HashSet<string> { "http://warm:1" }), await PickAsync(manager, new HashSet<string> { "http://warm:1" }) };
        cold.ShouldBe(["http://cold1:1", "http://cold2:1"], ignoreOrder: true);
        var selector = manager.SelectorFor(T2i, "m");
        selector.WarmPool.Count.ShouldBe(1);
        selector.ColdPool.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Cooling_down_orchestrators_are_offered_when_no_ready_one_can_meet_the_deadline()
    {
        // The fast GPU answered 503 a moment ago and cools down; only a slow one (10 s a job) is ready. With 5 s left
        // adaptive cannot use the slow one: the cooling fast one is offered rather than refusing the job.
        var time = new ManualTimeProvider();
        var network = Network(("http://fast:1/", true), ("http://slow:1/", true));
        var state = TestSessions.Selection(new SelectionOptions { Strategy = "adaptive" });
        var speeds = new SpeedTracker(state, time);
        var cooldowns = new Cooldowns(time);
        var manager = new AiSessionManager(network.Discovery(time), state, speeds, new ConfiguredStakeReader(state), cooldowns, time,
            Microsoft.Extensions.Options.Options.Create(new LivepeerAspire.Gateway.Discovery.DiscoveryOptions()), new Random(1), new MaxPrices(TestSessions.Prices));
        speeds.Record("http://fast:1", new PipelineModel(T2i, "m"), TimeSpan.FromSeconds(1), 1);
        speeds.Record("http://slow:1", new PipelineModel(T2i, "m"), TimeSpan.FromSeconds(10), 1);
        cooldowns.CoolDown("http://fast:1", new PipelineModel(T2i, "m"), TimeSpan.FromSeconds(30));
        Task<SelectionResult> Select(double secondsLeft) =>
            manager.SelectAsync(T2i, "m", 1, TimeSpan.FromSeconds(secondsLeft), None, CancellationToken.None);

        (await Select(60)).Session!.Key.ShouldBe("http://slow:1", "with time for it, the ready one is used and the cooling one is spared");
        (await Select(5)).Session!.Key.ShouldBe("http://fast:1");
        var none = await Select(0.5);
        none.Session.ShouldBeNull();
        none.Reason!.ShouldContain("no orchestrator can finish within the deadline");
    }

    [Fact]
    public void Suspender_keeps_a_removed_orchestrator_out_of_three_refreshes_and_releases_it_on_the_fourth()
    {
        var suspender = new Suspender();
        suspender.SignalRefresh();
        suspender.Suspend("o", AiSessionSelector.Penalty);
        var suspendedAt = new List<bool>();
        for (var refresh = 1; refresh <= 4; refresh++)
        {
            suspender.SignalRefresh();
            suspendedAt.Add(suspender.Suspended("o") > 0);
        }

        suspendedAt.ShouldBe([true, true, true, false]);
    }

    [Fact]
    public async Task A_suspended_orchestrator_rejoins_the_pool_on_the_fourth_refresh()
    {
        var network = Network(("http://a:1/", true), ("http://b:1/", true));
        var manager = network.Manager(new ManualTimeProvider());
        await PickAsync(manager);
        var selector = manager.SelectorFor(T2i, "m");
        manager.Suspend(selector.WarmPool.Get("http://a:1")!);
        var present = new List<bool>();
        for (var i = 0; i < 4; i++)
        {
            await selector.RefreshAsync(CancellationToken.None);
            present.Add(selector.WarmPool.Contains("http://a:1"));
        }

        present.ShouldBe([false, false, false, true]);
    }

    [Fact]
    public async Task Emptied_pools_release_every_suspension_on_the_next_request()
    {
        var network = Network(("http://only:1/", true));
        var manager = network.Manager(new ManualTimeProvider());
        (await PickAsync(manager)).ShouldBe("http://only:1");
        var selector = manager.SelectorFor(T2i, "m");
        manager.Suspend(selector.WarmPool.Get("http://only:1")!);
        selector.WarmPool.Count.ShouldBe(0);

        (await PickAsync(manager)).ShouldBe("http://only:1");
    }

    [Fact]
    public async Task Pools_refresh_after_their_ttl_and_when_they_run_low()
    {
        var time = new ManualTimeProvider();
        var network = Network(("http://a:1/", true), ("http://b:1/", true), ("http://c:1/", true), ("http://d:1/", true));
        var manager = network.Manager(time);
        await PickAsync(manager);
        var selector = manager.SelectorFor(T2i, "m");
        selector.Refreshes.ShouldBe(1);

        await PickAsync(manager);
        selector.Refreshes.ShouldBe(1);

        time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        await PickAsync(manager);
        selector.Refreshes.ShouldBe(2);

        // 4 known → threshold min(8, ⌈4/2⌉) = 2: removing three of four leaves 1 < 2.
        foreach (var key in new[] { "http://a:1", "http://b:1", "http://c:1" })
        {
            manager.Suspend(selector.WarmPool.Get(key)!);
        }

        await PickAsync(manager);
        selector.Refreshes.ShouldBe(3);
        selector.WarmPool.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Max_price_filters_candidates_and_the_503_reason_says_so_unless_ignore_if_needed()
    {
        var network = new FakeInfoClient();
        network.Network["http://dear:1/"] = TestSessions.Info("http://dear:1/", T2i, "m", price: 500);
        network.Network["http://cheap:1/"] = TestSessions.Info("http://cheap:1/", T2i, "m", price: 50);
        var capped = network.Manager(new ManualTimeProvider(), new SelectionOptions { MaxPricePerUnit = "100" });
        for (var i = 0; i < 3; i++)
        {
            (await PickAsync(capped)).ShouldBe("http://cheap:1");
        }

        var tooLow = network.Manager(new ManualTimeProvider(), new SelectionOptions { MaxPricePerUnit = "10" });
        var refused = await tooLow.SelectAsync(T2i, "m", 1, TimeSpan.FromMinutes(1), None, CancellationToken.None);
        refused.Session.ShouldBeNull();
        refused.Reason!.ShouldContain("max price");

        var ignoring = network.Manager(new ManualTimeProvider(), new SelectionOptions { MaxPricePerUnit = "10", IgnoreMaxPriceIfNeeded = true });
        (await PickAsync(ignoring)).ShouldNotBe("none");
    }

    [Fact]
    public void Per_capability_max_price_wins_over_the_global_one_and_default_model_entries_apply_to_any_model()
    {
        var options = new SelectionOptions
        {
            MaxPricePerUnit = "1000",
            MaxPricePerCapability =
            [
                new CapabilityMaxPrice { Pipeline = "text-to-image", ModelId = "m", PricePerUnit = "30", PixelsPerUnit = 3 },
                new CapabilityMaxPrice { Pipeline = "llm", PricePerUnit = "7" },
            ],
        };
        var prices = new MaxPrices(TestSessions.Prices);
        prices.For(options, T2i, "m")!.Value.ToDouble().ShouldBe(10);
        prices.For(options, PipelineCatalog.Llm, "any")!.Value.ToDouble().ShouldBe(7);
        prices.For(options, PipelineCatalog.Upscale, "x")!.Value.ToDouble().ShouldBe(1000);
        prices.For(new SelectionOptions(), T2i, "m").ShouldBeNull();
    }
}
