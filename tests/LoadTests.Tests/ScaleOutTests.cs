using System.Text.Json.Nodes;
using LivepeerAspire.LoadTests.Experiments;
using LivepeerAspire.LoadTests.Experiments.ScaleOut;
using LivepeerAspire.LoadTests.Running;

namespace LivepeerAspire.LoadTests.Tests;

public sealed class ScaleOutTests
{
    private static string Topology => Path.Combine(AppContext.BaseDirectory, "topologies", "scale-out-load.json");

    [Fact]
    public void Replica_counts_parse_in_the_order_given()
    {
        ScaleOutOptions.Replicas("1,2,4", "--replicas").ShouldBe([1, 2, 4]);
        ScaleOutOptions.Replicas(" 16 , 1", "--replicas").ShouldBe([16, 1]);
    }

    [Theory]
    [InlineData("0", "0 is outside 1..16")]
    [InlineData("1,17", "17 is outside 1..16")]
    [InlineData("two", "'two' is not a whole number")]
    [InlineData("1.5", "'1.5' is not a whole number")]
    [InlineData("-1", "'-1' is not a whole number")]
    [InlineData("1,,2", "'' is not a whole number")]
    [InlineData("", "'' is not a whole number")]
    [InlineData("2,2", "2 is given twice")]
    public void A_bad_replica_list_is_refused_naming_the_option_and_the_value(string text, string reason)
    {
        var e = Should.Throw<UsageException>(() => ScaleOutOptions.Replicas(text, "--replicas"));
        e.ExitCode.ShouldBe(2);
        e.Message.ShouldStartWith($"bad --replicas '{text}'");
        e.Message.ShouldContain(reason);
    }

    [Fact]
    public void The_arms_that_share_state_need_at_least_two_replicas_and_arms_must_be_known()
    {
        Should.Throw<UsageException>(() => ScaleOutOptions.SharedReplicas(1, "--redis-replicas")).Message.ShouldContain("bad --redis-replicas 1");
        Should.Throw<UsageException>(() => ScaleOutOptions.SharedReplicas(17, "--speeds-replicas")).Message.ShouldContain("bad --speeds-replicas 17");
        ScaleOutOptions.SharedReplicas(2, "--redis-replicas").ShouldBe(2);
        ScaleOutOptions.Arms(null, "--arms").ShouldBe(["replicas", "speeds", "redis"]);
        ScaleOutOptions.Arms("redis,replicas", "--arms").ShouldBe(["redis", "replicas"]);
        Should.Throw<UsageException>(() => ScaleOutOptions.Arms("replicas,herd", "--arms")).Message.ShouldContain("unknown arm 'herd'");
    }

    [Theory]
    [InlineData("--replicas", "0,2")]
    [InlineData("--replicas", "1,2,32")]
    [InlineData("--replicas", "one")]
    [InlineData("--redis-replicas", "1")]
    [InlineData("--arms", "replicas,nope")]
    public async Task The_command_refuses_bad_options_with_exit_2_before_any_network_starts(string option, string value)
    {
        var launcher = new FakeLauncher(new Uri("http://127.0.0.1:9/"));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string[] args = ["scale-out", "--topology", Topology, option, value, "--out", Path.Combine(Path.GetTempPath(), "scale-out-refused")];
        var code = await LoadTestCli.RunAsync(args, new CliContext { Args = args, Out = stdout, Error = stderr, Networks = launcher });

        code.ShouldBe(2, stderr.ToString());
        stderr.ToString().ShouldContain($"bad {option}");
        launcher.Topologies.ShouldBeEmpty("nothing starts before the options are checked");
    }

    [Fact]
    public void An_arm_topology_sets_the_replica_count_and_drops_Redis_for_a_single_gateway()
    {
        var dir = Directory.CreateTempSubdirectory("scale-out-variant-").FullName;
        try
        {
            var single = Path.Combine(dir, "1.json");
            var four = Path.Combine(dir, "4.json");
            TopologyInfo.WriteScaleOutVariant(Topology, single, 1, null);
            TopologyInfo.WriteScaleOutVariant(Topology, four, 4, gpuCapacity: 2);

            var one = JsonNode.Parse(File.ReadAllText(single))!;
            one["gateway"]!["replicas"]!.GetValue<int>().ShouldBe(1);
            one["gateway"]!["redis"].ShouldBeNull();
            one["orchestrators"]!.AsArray().SelectMany(o => o!["gpus"]!.AsArray()).ShouldAllBe(g => g!["capacity"]!.GetValue<int>() == 16);

            var many = JsonNode.Parse(File.ReadAllText(four))!;
            many["gateway"]!["replicas"]!.GetValue<int>().ShouldBe(4);
            many["gateway"]!["redis"].ShouldNotBeNull();
            many["orchestrators"]!.AsArray().SelectMany(o => o!["gpus"]!.AsArray()).ShouldAllBe(g => g!["capacity"]!.GetValue<int>() == 2);
            TopologyInfo.Load(four).Gpus.Count.ShouldBe(3);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Herding_counts_measured_successful_jobs_per_orchestrator_and_the_busiest_share_per_second()
    {
        static RequestRecord Job(double sentMs, string orchestrator, string phase = "measure", string outcome = Outcomes.Ok) =>
            new() { Job = "text-to-image", Phase = phase, Outcome = outcome, SentMs = sentMs, EndMs = sentMs + 10, Orchestrator = orchestrator };

        // Second 0: all six on a (a herd); second 1: three each (even); second 2: too few jobs to count; warm-up and failures ignored.
        var records = Enumerable.Range(0, 6).Select(i => Job(i * 100, "https://a"))
            .Concat(Enumerable.Range(0, 3).Select(i => Job(1000 + i * 100, "https://a")))
            .Concat(Enumerable.Range(0, 3).Select(i => Job(1050 + i * 100, "https://b")))
            .Concat([Job(2000, "https://b"), Job(500, "https://b", phase: "warm-up"), Job(600, "https://b", outcome: Outcomes.Error)])
            .ToList();

        var herding = ScaleOutAnalysis.Herding(records, uri => uri[8..]);

        herding.JobsByOrchestrator.ShouldBe(new Dictionary<string, int> { ["a"] = 9, ["b"] = 4 });
        herding.Windows.ShouldBe(2);
        herding.WorstTopShare.ShouldBe(1.0);
        herding.MeanTopShare.ShouldBe(0.75);
    }
}
