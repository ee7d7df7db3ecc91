using LivepeerAspire.Protocol.Eth;
using Google.Protobuf;
using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Gateway.Forwarding;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pipelines;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Tests.Discovery;

public sealed class OrchestratorFilterTests
{
    private const string Listed = "0xABABABABABABABABABABabababababababababab";

    [Fact]
    public void Blocklist_entries_match_with_or_without_0x_in_any_case()
    {
        var list = OrchestratorBlocklist.Parse($" {Listed} , {string.Concat(Enumerable.Repeat("CD", 20))},0X{string.Concat(Enumerable.Repeat("ef", 20))},", out var malformed);
        malformed.ShouldBeEmpty();
        list.Count.ShouldBe(3);
        list.Blocks(Address(0xab)).ShouldBeTrue();
        list.Blocks(Address(0xcd)).ShouldBeTrue();
        list.Blocks(Address(0xef)).ShouldBeTrue();
        list.Blocks(Address(0x01)).ShouldBeFalse();
        list.Blocks(ByteString.Empty).ShouldBeFalse();
    }

    [Theory]
    [InlineData("0x1234", "0x1234")]
    [InlineData("0xzz000000000000000000000000000000000000ab", "0xzz000000000000000000000000000000000000ab")]
    [InlineData("http://127.0.0.1:8935", "http://127.0.0.1:8935")]
    [InlineData(Listed + "; 0xcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd", Listed + "; 0xcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd")]
    public void A_malformed_blocklist_entry_is_refused_by_name(string option, string bad)
    {
        var errors = new DiscoveryOptions { OrchBlocklist = $"{Listed},{option}" }.Validate().ToList();
        errors.ShouldHaveSingleItem().ShouldBe($"Discovery:OrchBlocklist entry '{bad}' is not an ETH address (40 hex digits, 0x optional)");
    }

    [Fact]
    public async Task Blocklisted_orchestrators_are_dropped_from_every_round()
    {
        var net = new FakeInfoClient();
        net.Network["http://a:1/"] = TestSessions.Info("http://a:1/", PipelineCatalog.Llm, "m", addressByte: 0xab);
        net.Network["http://b:1/"] = TestSessions.Info("http://b:1/", PipelineCatalog.Llm, "m", addressByte: 0x01);
        var logger = new ListLogger<OrchestratorDiscovery>();
        var discovery = Discovery(net, new DiscoveryOptions { OrchBlocklist = Listed.ToUpperInvariant().Replace("0X", "", StringComparison.Ordinal) }, logger);

        (await discovery.DiscoverAsync(CapabilityRequest.For(PipelineCatalog.Llm, "m"), null, CancellationToken.None, waitForAll: true))
            .Select(f => f.Key).ShouldBe(["http://b:1"]);
        (await discovery.DiscoverAsync(null, null, CancellationToken.None, waitForAll: true))
            .Select(f => f.Key).ShouldBe(["http://b:1"]);
        logger.At(LogLevel.Information).Where(m => m.Contains("OrchBlocklist")).ShouldHaveSingleItem().ShouldContain("http://a:1");
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("undefined", false)]
    [InlineData("nightly", false)]
    [InlineData("0.7.9", false)]
    [InlineData("0.8.0-rc2", true)]
    [InlineData("0.8.3", true)]
    public async Task The_minimum_version_drops_orchestrators_that_advertise_an_empty_undefined_unparseable_or_older_version(string version, bool kept)
    {
        var net = new FakeInfoClient();
        net.Network["http://new:1/"] = WithVersion(TestSessions.Info("http://new:1/", PipelineCatalog.Llm, "m"), "0.9.0");
        net.Network["http://x:1/"] = WithVersion(TestSessions.Info("http://x:1/", PipelineCatalog.Llm, "m"), version);
        var discovery = Discovery(net, new DiscoveryOptions { OrchMinLivepeerVersion = "0.8.0" });

        var found = await discovery.DiscoverAsync(CapabilityRequest.For(PipelineCatalog.Llm, "m"), null, CancellationToken.None, waitForAll: true);

        found.Select(f => f.Key).ShouldBe(kept ? ["http://new:1", "http://x:1"] : ["http://new:1"], ignoreOrder: true);
    }

    [Fact]
    public async Task Without_filters_no_orchestrator_is_dropped()
    {
        var net = new FakeInfoClient();
        net.Network["http://a:1/"] = TestSessions.Info("http://a:1/", PipelineCatalog.Llm, "m", addressByte: 0xab);
        net.Network["http://b:1/"] = WithVersion(TestSessions.Info("http://b:1/", PipelineCatalog.Llm, "m"), "undefined");
        var found = await Discovery(net, new DiscoveryOptions()).DiscoverAsync(null, null, CancellationToken.None, waitForAll: true);
        found.Count.ShouldBe(2);
    }

    [Fact]
    public async Task The_request_tells_the_orchestrator_the_minimum_as_go_livepeer_does()
    {
        var (seen, request) = await CaptureRequestAsync(new DiscoveryOptions { OrchMinLivepeerVersion = "0.8.0" }, GatewayIdentity.Unsigned);

        seen.Capabilities.Constraints.MinVersion.ShouldBe("0.8.0");
        seen.Capabilities.Constraints.PerCapability.Keys.ShouldBe([(uint)PipelineCatalog.Llm.CapabilityId]);
        request.Constraints.MinVersion.ShouldBe("", "the caller's request object must not change");
        seen.Sig.IsEmpty.ShouldBeTrue("off-chain nothing is signed");
    }

    [Fact]
    public async Task On_chain_the_request_carries_the_keys_address_and_go_livepeers_InfoSig()
    {
        var account = EthAccount.Generate();

        var (seen, _) = await CaptureRequestAsync(new DiscoveryOptions(), GatewayIdentity.Signed(account));

        seen.Address.ToByteArray().ShouldBe(account.Address.Span.ToArray());
        MessageSignatures.VerifyAddressSignature(account.Address, seen.Sig.Span).ShouldBeTrue();
        MessageSignatures.VerifyAddressSignature(EthAccount.Generate().Address, seen.Sig.Span).ShouldBeFalse();
    }

    /// <summary>What a real getOrchestrator endpoint on 127.0.0.1 receives from the client.</summary>
    private static async Task<(OrchestratorRequest Seen, Capabilities Request)> CaptureRequestAsync(DiscoveryOptions options, GatewayIdentity identity)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        OrchestratorRequest? seen = null;
        app.MapPost("/getOrchestrator", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            seen = OrchestratorRequest.Parser.ParseFrom(body.ToArray());
            context.Response.ContentType = "application/x-protobuf";
            await context.Response.Body.WriteAsync(new OrchestratorInfo { Transcoder = "http://127.0.0.1:1/" }.ToByteArray());
        });
        await app.StartAsync();
        using var http = new GatewayHttp();
        var client = new OrchestratorInfoClient(http, TimeProvider.System, Options.Create(options), identity);
        var request = CapabilityRequest.For(PipelineCatalog.Llm, "m");

        await client.GetOrchestratorAsync(new Uri(app.Urls.First().TrimEnd('/') + "/"), request, CancellationToken.None);

        return (seen.ShouldNotBeNull(), request);
    }

    private static OrchestratorDiscovery Discovery(FakeInfoClient net, DiscoveryOptions options, ILogger<OrchestratorDiscovery>? logger = null) =>
        new([new FakeInfoClient.Source(net)], net, new ManualTimeProvider(), Options.Create(options), logger ?? new ListLogger<OrchestratorDiscovery>());

    private static OrchestratorInfo WithVersion(OrchestratorInfo info, string version)
    {
        info.Capabilities.Version = version;
        return info;
    }

    private static ByteString Address(byte each) => ByteString.CopyFrom(Enumerable.Repeat(each, 20).ToArray());
}
