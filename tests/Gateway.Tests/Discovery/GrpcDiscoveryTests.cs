using System.Net;
using System.Text;
using System.Text.Json;
using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Gateway.Forwarding;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Pipelines;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Tests.Discovery;

/// <summary>The gateway discovers https:// orchestrators with gRPC net.Orchestrator/GetOrchestrator, as go-livepeer's gateway does.</summary>
public sealed class GrpcDiscoveryTests
{
    private const string Llama = "meta-llama/llama-3.1-8B-Instruct";

    [Fact]
    public async Task The_gateway_discovers_and_uses_an_orchestrator_that_only_speaks_grpc_over_tls()
    {
        await using var orch = await FakeOrchestrator.StartGrpcOnlyAsync(new FakeModel(PipelineCatalog.Llm, Llama, PricePerUnit: 5));
        orch.Url.ShouldStartWith("https://");
        await using var gw = await GatewayHost.StartAsync([], new() { ["Discovery:OrchAddr"] = orch.Url });

        using var caps = JsonDocument.Parse(await gw.Client.GetStringAsync("/getNetworkCapabilities"));
        caps.RootElement.GetProperty("orchestrators").EnumerateArray().Select(o => o.GetProperty("orch_uri").GetString()).ShouldBe([orch.Url]);

        var response = await gw.Client.PostAsync("/llm", new StringContent(
            JsonSerializer.Serialize(new { model = Llama, messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 8, stream = false }),
            Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Headers.GetValues("Livepeer-Orchestrator").Single().ShouldBe(orch.Url);
        orch.DiscoveryCount.ShouldBeGreaterThanOrEqualTo(2, "the no-caps poll and the job's discovery, both over gRPC");
        orch.PostedDiscoveryCount.ShouldBe(0);
        orch.LastRequest!.Capabilities.Constraints.PerCapability[(uint)PipelineCatalog.Llm.CapabilityId].Models.Keys.ShouldBe([Llama]);
    }

    [Fact]
    public async Task The_grpc_request_carries_the_gateway_address_and_its_signature()
    {
        await using var orch = await FakeOrchestrator.StartGrpcOnlyAsync(new FakeModel(PipelineCatalog.Llm, Llama));
        var account = EthAccount.Generate();
        using var http = new GatewayHttp();
        var client = new OrchestratorInfoClient(http, TimeProvider.System, Options.Create(new DiscoveryOptions()), GatewayIdentity.Signed(account));

        var found = await client.GetOrchestratorAsync(new Uri(orch.Url), null, CancellationToken.None);

        found.Info.Transcoder.ShouldBe(orch.Url);
        found.Latency.ShouldBeGreaterThan(TimeSpan.Zero);
        orch.LastRequest!.Address.ToByteArray().ShouldBe(account.Address.ToArray());
        MessageSignatures.VerifyAddressSignature(account.Address, orch.LastRequest.Sig.Span).ShouldBeTrue();
    }

    [Fact]
    public async Task A_grpc_failure_surfaces_as_an_http_request_exception_with_the_status()
    {
        // An http fake speaks no gRPC: calling its port as https fails the TLS handshake.
        await using var plain = await FakeOrchestrator.StartAsync(new FakeModel(PipelineCatalog.Llm, Llama));
        using var http = new GatewayHttp();
        var client = new OrchestratorInfoClient(http, TimeProvider.System, Options.Create(new DiscoveryOptions()), GatewayIdentity.Unsigned);

        var error = await Should.ThrowAsync<HttpRequestException>(() =>
            client.GetOrchestratorAsync(new Uri(plain.Url.Replace("http://", "https://")), null, CancellationToken.None));

        error.Message.ShouldContain("GetOrchestrator at https://");
        error.InnerException.ShouldBeOfType<Grpc.Core.RpcException>().Status.Detail.ShouldContain("Error starting gRPC call");
    }
}
