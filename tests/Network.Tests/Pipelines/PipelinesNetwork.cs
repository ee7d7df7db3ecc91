using LivepeerAspire.Network.Tests.Support;

namespace LivepeerAspire.Network.Tests.Pipelines;

public sealed class PipelinesNetworkFixture() : TopologyNetworkFixture("pipelines.json");

[CollectionDefinition(Name)]
public sealed class PipelinesNetwork : ICollectionFixture<PipelinesNetworkFixture>
{
    public const string Name = "Pipelines network";
}
