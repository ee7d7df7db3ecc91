using LivepeerAspire.Network.Tests.Support;

namespace LivepeerAspire.Network.Tests.Failover;

public sealed class FaultsNetworkFixture() : TopologyNetworkFixture("faults.json")
{
    public async Task SetFaultAsync(string gpuId, string faultJson)
    {
        using var simulator = CreateClient(SimulatorUrl);
        using var response = await simulator.PostAsync($"/admin/gpus/{gpuId}/faults", GatewayResponses.Json(faultJson));
        response.EnsureSuccessStatusCode();
    }

    public async Task ClearFaultsAsync(string gpuId)
    {
        using var simulator = CreateClient(SimulatorUrl);
        using var response = await simulator.DeleteAsync($"/admin/gpus/{gpuId}/faults");
        response.EnsureSuccessStatusCode();
    }
}

[CollectionDefinition(Name)]
public sealed class FaultsNetwork : ICollectionFixture<FaultsNetworkFixture>
{
    public const string Name = "Faults network";
}
