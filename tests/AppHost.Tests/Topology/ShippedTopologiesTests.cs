using LivepeerAspire.AppHost.Tests.Support;
using LivepeerAspire.AppHost.Topology;

namespace LivepeerAspire.AppHost.Tests.Topology;

public sealed class ShippedTopologiesTests
{
    private static string Root => TestApps.RepositoryRoot;

    public static TheoryData<string> Files => new()
    {
        "AppHost/topologies/default.json",
        "AppHost/topologies/small.json",
        "AppHost/topologies/heterogeneous.json",
        "AppHost/topologies/i2v-4090-vs-4060.json",
        "AppHost/topologies/chain.json",
        "tests/Network.Tests/topologies/payments-chain.json",
        "tests/Network.Tests/topologies/network-test.json",
        "tests/Network.Tests/topologies/payments.json",
        "tests/AppHost.Tests/topologies/tiny.json",
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_shipped_topology_reads_cleanly(string file)
    {
        var spec = TopologyReader.Load(Path.Combine(Root, file));

        spec.Orchestrators.ShouldNotBeEmpty();
        spec.TimeScale.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void A_relative_topology_path_typed_at_the_repository_root_is_found_from_the_AppHost_folder()
    {
        // `dotnet run --project AppHost` runs in AppHost/, where the README's `--topology AppHost/topologies/…` does not exist.
        var appHost = Path.Combine(Root, "AppHost");
        var small = Path.Combine(Root, "AppHost", "topologies", "small.json");

        TopologyHosting.Resolve("AppHost/topologies/small.json", Root, appHost).ShouldBe(small);
        TopologyHosting.Resolve("topologies/small.json", Root, appHost).ShouldBe(small);
        TopologyHosting.Resolve("no/such.json", Root, appHost).ShouldBe(Path.Combine(appHost, "no", "such.json"));
    }

    [Fact]
    public void Default_topology_serves_all_nine_pipelines_on_different_gpus_with_an_ollama_orchestrator()
    {
        var spec = TopologyReader.Load(TopologyHosting.DefaultTopologyFile(Root));
        var gpus = spec.Orchestrators.SelectMany(o => o.Gpus).ToList();

        spec.Orchestrators.Count.ShouldBeGreaterThanOrEqualTo(3);
        gpus.Select(g => g.Pipeline).Distinct().ShouldBe(
            ["text-to-image", "image-to-image", "image-to-video", "upscale", "audio-to-text", "segment-anything-2", "image-to-text", "text-to-speech", "llm"],
            ignoreOrder: true);
        gpus.ShouldContain(g => g.Runner == RunnerKind.Ollama && g.Pipeline == "llm");
        spec.Orchestrators.Select(o => string.Join("+", o.Gpus.Select(g => g.Profile))).Distinct().Count().ShouldBe(spec.Orchestrators.Count);
        spec.Gateway.Port.ShouldBe(9935);
    }
}
