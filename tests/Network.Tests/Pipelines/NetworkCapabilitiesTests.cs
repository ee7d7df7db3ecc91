using System.Text.Json;
using LivepeerAspire.Network.Tests.Support;

namespace LivepeerAspire.Network.Tests.Pipelines;

/// <summary>/getNetworkCapabilities in go-livepeer's shape, read by tools written for go-livepeer, with the GPUs the runners report.</summary>
[Collection(PipelinesNetwork.Name)]
public sealed class NetworkCapabilitiesTests(PipelinesNetworkFixture network)
{
    /// <summary>go-livepeer common.OrchNetworkCapabilities JSON tags.</summary>
    private static readonly string[] GoLivepeerOrchestratorMembers =
        ["address", "local_address", "orch_uri", "capabilities", "price_info", "capabilities_prices", "hardware"];

    /// <summary>This project's extras, alongside.</summary>
    private static readonly string[] Extras = ["latency_ms", "models"];

    [Fact]
    public async Task Carries_go_livepeers_members_with_gpu_names_in_hardware()
    {
        using var client = network.CreateClient();
        var doc = JsonDocument.Parse(await client.GetStringAsync("/getNetworkCapabilities")).RootElement;

        doc.EnumerateObject().Select(p => p.Name).ShouldBe(["capabilities_names", "orchestrators"], ignoreOrder: true);
        doc.GetProperty("capabilities_names").GetProperty("27").GetString().ShouldBe("Text to image");
        var orchestrators = doc.GetProperty("orchestrators").EnumerateArray().ToList();
        orchestrators.Count.ShouldBe(network.OrchestratorUrls.Count);
        foreach (var orchestrator in orchestrators)
        {
            orchestrator.EnumerateObject().Select(p => p.Name).ShouldBe(GoLivepeerOrchestratorMembers.Concat(Extras), ignoreOrder: true);
            orchestrator.GetProperty("capabilities").GetProperty("bitstring").GetArrayLength().ShouldBeGreaterThan(0);
            foreach (var perCapability in orchestrator.GetProperty("capabilities").GetProperty("constraints").GetProperty("PerCapability").EnumerateObject())
            {
                foreach (var model in perCapability.Value.GetProperty("models").EnumerateObject())
                {
                    model.Value.GetProperty("warm").ValueKind.ShouldBeOneOf(JsonValueKind.True, JsonValueKind.False);
                    model.Value.GetProperty("capacity").GetInt32().ShouldBeGreaterThan(0);
                    model.Value.TryGetProperty("runner_version", out _).ShouldBeTrue();
                }
            }

            orchestrator.GetProperty("capabilities_prices").EnumerateArray().ShouldAllBe(p => p.GetProperty("pricePerUnit").GetInt64() > 0);
        }

        var o1 = orchestrators.Single(o => network.OrchestratorName(o.GetProperty("orch_uri").GetString()!) == "o1");
        var hardware = o1.GetProperty("hardware").EnumerateArray().ToList();
        hardware.Select(h => h.GetProperty("pipeline").GetString()).ShouldBe(["text-to-image", "image-to-video", "image-to-image", "upscale"], ignoreOrder: true);
        foreach (var gpu in hardware.SelectMany(h => h.GetProperty("gpu_info").EnumerateObject()))
        {
            gpu.Value.GetProperty("name").GetString()!.ShouldContain("RTX 4090");
            gpu.Value.GetProperty("memory_total").GetInt64().ShouldBeGreaterThan(0);
            gpu.Value.EnumerateObject().Select(p => p.Name).ShouldBe(["id", "name", "memory_total", "memory_free", "major", "minor"], ignoreOrder: true);
        }
    }
}
