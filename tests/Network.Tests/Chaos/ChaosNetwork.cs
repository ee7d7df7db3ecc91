using LivepeerAspire.Network.Tests.Support;

namespace LivepeerAspire.Network.Tests.Chaos;

public sealed class ChaosNetworkFixture() : TopologyNetworkFixture("chaos.json");

[CollectionDefinition(Name)]
public sealed class ChaosNetwork : ICollectionFixture<ChaosNetworkFixture>
{
    public const string Name = "Chaos network";
}
