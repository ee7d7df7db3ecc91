using LivepeerAspire.Network.Tests.Support;

namespace LivepeerAspire.Network.Tests.Infrastructure;

/// <summary>
/// One real network (separate processes for simulator, shim, orchestrators and gateway) shared by every test
/// in the <see cref="NetworkCollection"/>: started from <c>tests/Network.Tests/topologies/network-test.json</c>
/// through the AppHost, on free ports, and torn down (DCP and every child stopped) on dispose.
/// </summary>
public sealed class NetworkFixture() : TopologyNetworkFixture(TopologyFileName)
{
    public const string TopologyFileName = "network-test.json";

    public static string RepositoryRoot => TopologyNetworkFixture.FindRepositoryRoot();

    public static string TopologyPath(string fileName = TopologyFileName) =>
        Path.Combine(RepositoryRoot, "tests", "Network.Tests", "topologies", fileName);

    /// <summary>An HttpClient for the gateway (no proxy, generous timeout).</summary>
    public HttpClient CreateGatewayClient() => CreateClient();
}

[CollectionDefinition(Name)]
public sealed class NetworkCollection : ICollectionFixture<NetworkFixture>
{
    public const string Name = "Network";
}
