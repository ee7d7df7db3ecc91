using System.Globalization;
using LivepeerAspire.Network.Tests.Support;
using LivepeerAspire.Tests.Shared;

namespace LivepeerAspire.Network.Tests.Payments;

/// <summary>
/// A foreign gRPC client (npm @grpc/grpc-js with the tests' copy of go-livepeer's lp_rpc.proto) asks every orchestrator
/// of the paid network for its info over TLS, signed as a go-livepeer gateway signs on-chain.
/// </summary>
[Collection(PaymentsNetwork.Name)]
public sealed class PaymentsGrpcTests(PaymentsNetworkFixture network)
{
    [Fact]
    public async Task Every_orchestrator_answers_GetOrchestrator_over_tls_with_its_address_capabilities_prices_token_and_gpus()
    {
        // Any key will do: on-chain an orchestrator checks that the request is signed by the address it names.
        var gatewayKey = "0x" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        foreach (var (name, url) in network.OrchestratorUrls)
        {
            url.ShouldStartWith("https://");
            var certificate = Path.Combine(network.Network.RunDirectory, "orchestrators", name, "data", "cert.pem");
            var answer = await NodeScript.RunAsync("grpc-orchestrator-client.mjs", url, certificate, gatewayKey);

            var info = answer.GetProperty("info");
            info.GetProperty("transcoder").GetString()!.TrimEnd('/').ShouldBe(url.TrimEnd('/'), name);
            info.GetProperty("address").GetString()!.Length.ShouldBe(40, $"{name}: a 20-byte address, as hex");
            info.GetProperty("capabilities").GetProperty("bitstring").GetArrayLength().ShouldBeGreaterThan(0, name);
            info.GetProperty("capabilities_prices").GetArrayLength().ShouldBeGreaterThan(0, name);
            info.GetProperty("capabilities_prices").EnumerateArray()
                .ShouldAllBe(p => long.Parse(p.GetProperty("pricePerUnit").GetString()!, CultureInfo.InvariantCulture) > 0);
            info.GetProperty("auth_token").GetProperty("token").GetString()!.Length.ShouldBeGreaterThan(0, name);
            info.GetProperty("ticket_params").GetProperty("recipient").GetString().ShouldBe(info.GetProperty("address").GetString(), name);
            info.GetProperty("hardware").EnumerateArray()
                .ShouldAllBe(h => !string.IsNullOrEmpty(h.GetProperty("gpu_info").GetProperty("0").GetProperty("name").GetString()));
        }
    }
}
