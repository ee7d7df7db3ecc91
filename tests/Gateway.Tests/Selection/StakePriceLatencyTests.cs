using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Sessions;
using LivepeerAspire.Gateway.Tests.Fakes;

namespace LivepeerAspire.Gateway.Tests.Selection;

public sealed class StakePriceLatencyTests
{
    private const int Draws = 20_000;

    private static Dictionary<string, double> Frequencies(SelectionOptions options, IReadOnlyList<AiSession> sessions, int seed = 11)
    {
        var selection = TestSessions.Selection(options);
        var strategy = new StakePriceLatencyStrategy();
        var random = new Random(seed);
        var counts = sessions.ToDictionary(s => s.Key, _ => 0);
        for (var i = 0; i < Draws; i++)
        {
            counts[strategy.Select(sessions, TestSessions.Context(selection, random)).Session!.Key]++;
        }

        return counts.ToDictionary(c => c.Key, c => c.Value / (double)Draws);
    }

    private static List<AiSession> Three(long p1 = 0, long p2 = 0, long p3 = 0) =>
    [
        TestSessions.Session("http://o1:1/", price: p1),
        TestSessions.Session("http://o2:1/", price: p2),
        TestSessions.Session("http://o3:1/", price: p3),
    ];

    [Fact]
    public void Default_weights_mix_stake_and_uniform_random_as_go_livepeer()
    {
        var options = new SelectionOptions
        {
            Stakes = new() { ["http://o1:1"] = 100, ["http://o2:1"] = 300, ["http://o3:1"] = 600 },
        };
        var f = Frequencies(options, Three());

        // 0.7 × stake share + 0.3 / 3
        f["http://o1:1"].ShouldBe(0.17, 0.015);
        f["http://o2:1"].ShouldBe(0.31, 0.015);
        f["http://o3:1"].ShouldBe(0.52, 0.015);
    }

    [Fact]
    public void Price_weight_follows_exp_of_minus_price_over_factor()
    {
        var options = new SelectionOptions { StakeWeight = 0, PriceWeight = 0.5, RandWeight = 0.5, PriceExpFactor = 100 };
        var f = Frequencies(options, Three(0, 100, 200));
        var norm = new[] { 1, Math.Exp(-1), Math.Exp(-2) };
        var sum = norm.Sum();
        f["http://o1:1"].ShouldBe((0.5 * norm[0] / sum) + (0.5 / 3), 0.015);
        f["http://o2:1"].ShouldBe((0.5 * norm[1] / sum) + (0.5 / 3), 0.015);
        f["http://o3:1"].ShouldBe((0.5 * norm[2] / sum) + (0.5 / 3), 0.015);
    }

    [Fact]
    public void Zero_total_stake_is_uniform_by_our_documented_rule()
    {
        var f = Frequencies(new SelectionOptions(), Three());
        f.Values.ShouldAllBe(v => Math.Abs(v - (1 / 3.0)) < 0.015);
        StakePriceLatencyStrategy.Probabilities([0, 0, 0], [0, 0, 0], new SelectionOptions()).Sum().ShouldBe(1, 1e-12);
    }

    [Fact]
    public void Busy_orchestrators_are_only_used_when_none_is_idle()
    {
        var sessions = Three();
        sessions[0].Begin(1);
        sessions[1].Begin(1);
        var f = Frequencies(new SelectionOptions(), sessions);
        f["http://o3:1"].ShouldBe(1.0);

        sessions[2].Begin(1);
        var all = Frequencies(new SelectionOptions(), sessions);
        all.Values.ShouldAllBe(v => v > 0.25);
    }

    [Fact]
    public void Perf_filter_keeps_only_orchestrators_at_or_above_the_minimum_unless_none_pass()
    {
        var options = new SelectionOptions { MinPerfScore = 0.5, PerfScores = new() { ["http://o1:1"] = 0.9, ["http://o2:1"] = 0.2 } };
        var f = Frequencies(options, Three());
        f["http://o1:1"].ShouldBe(1.0);

        var none = new SelectionOptions { MinPerfScore = 0.95, PerfScores = new() { ["http://o1:1"] = 0.9 } };
        Frequencies(none, Three()).Values.ShouldAllBe(v => v > 0.25);
    }
}
