using LivepeerAspire.Network.Tests.Support;

namespace LivepeerAspire.Network.Tests.Queueing;

public sealed class CapacityQueueNetworkFixture() : TopologyNetworkFixture("capacity-queue.json");

[CollectionDefinition(Name)]
public sealed class CapacityQueueNetwork : ICollectionFixture<CapacityQueueNetworkFixture>
{
    public const string Name = "Capacity queue network";
}
