using LivepeerAspire.Network.Tests.Support;

namespace LivepeerAspire.Network.Tests.Payments;

/// <summary>The paid network of <c>topologies/payments.json</c>: ledger, keys, registrations and funds set up by the AppHost.</summary>
public sealed class PaymentsNetworkFixture() : TopologyNetworkFixture("payments.json")
{
    public string LedgerConnection => $"Data Source={Path.Combine(Network.RunDirectory, "ledger.db")}";

    public string GatewayDataDir => Path.Combine(Network.RunDirectory, "gateway", "data");
}

[CollectionDefinition(Name)]
public sealed class PaymentsNetwork : ICollectionFixture<PaymentsNetworkFixture>
{
    public const string Name = "Payments network";
}
