using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Google.Protobuf;
using LivepeerAspire.Protocol.Net;

namespace LivepeerAspire.Orchestrator.Tests;

public sealed class GetOrchestratorTests : IAsyncLifetime
{
    private FakeRunner _t2i = null!;
    private FakeRunner _llm = null!;
    private OrchestratorHost _orch = null!;

    public async Task InitializeAsync()
    {
        _t2i = await FakeRunner.StartAsync("t2i");
        _llm = await FakeRunner.StartAsync("llm");
        _llm.Version = "0.13.0";
        _orch = await OrchestratorHost.StartAsync($$"""
            [
              {"pipeline":"text-to-image","model_id":"stabilityai/sdxl-turbo","url":"{{_t2i.Url}}","capacity":2,"warm":true,"price_per_unit":4768371,"pixels_per_unit":1},
              {"pipeline":"llm","model_id":"meta-llama/Meta-Llama-3.1-8B-Instruct","url":"{{_llm.Url}}","price_per_unit":0.18,"currency":"USD","pixels_per_unit":1000000}
            ]
            """, new() { ["Orchestrator:ServiceUri"] = "https://orch.example:8935", ["Pricing:EthUsd"] = "3000" });
        await _orch.WaitReadyAsync();
    }

    public async Task DisposeAsync()
    {
        await _orch.DisposeAsync();
        await _llm.DisposeAsync();
        await _t2i.DisposeAsync();
    }

    private async Task<OrchestratorInfo> PostAsync(OrchestratorRequest? request)
    {
        var content = new ByteArrayContent(request?.ToByteArray() ?? []);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        var response = await _orch.Client.PostAsync("/getOrchestrator", content);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/x-protobuf");
        return OrchestratorInfo.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_poll_without_capabilities_gets_caps_per_model_prices_hardware_and_an_auth_token()
    {
        var info = await PostAsync(null);

        info.Transcoder.ShouldBe("https://orch.example:8935");
        info.Address.Length.ShouldBe(20);
        info.Capabilities.Bitstring[0].ShouldBe((1UL << 27) | (1UL << 33));
        info.Capabilities.Capacities[27].ShouldBe(2u);
        info.Capabilities.Capacities[33].ShouldBe(1u);
        var t2i = info.Capabilities.Constraints.PerCapability[27].Models["stabilityai/sdxl-turbo"];
        (t2i.Warm, t2i.Capacity, t2i.RunnerVersion, t2i.CapacityInUse).ShouldBe((true, 2u, "0.14.1", 0u));
        var llm = info.Capabilities.Constraints.PerCapability[33].Models["meta-llama/Meta-Llama-3.1-8B-Instruct"];
        (llm.Warm, llm.Capacity, llm.RunnerVersion).ShouldBe((false, 1u, "0.13.0"));

        info.CapabilitiesPrices.Count.ShouldBe(2);
        var t2iPrice = info.CapabilitiesPrices.Single(p => p.Capability == 27);
        (t2iPrice.Constraint, t2iPrice.PricePerUnit, t2iPrice.PixelsPerUnit).ShouldBe(("stabilityai/sdxl-turbo", 4768371L, 1L));
        var llmPrice = info.CapabilitiesPrices.Single(p => p.Capability == 33);
        // 0.18 USD per 1e6 tokens at 3000 USD/ETH = 6e7 wei per token.
        (llmPrice.Constraint, llmPrice.PricePerUnit, llmPrice.PixelsPerUnit).ShouldBe(("meta-llama/Meta-Llama-3.1-8B-Instruct", 60_000_000L, 1L));

        info.Hardware.Count.ShouldBe(2);
        info.Hardware[0].GpuInfo["0"].Name.ShouldBe("NVIDIA GeForce RTX 4090");
        info.Hardware[0].GpuInfo["0"].MemoryTotal.ShouldBe(25757220864L);

        info.AuthToken.Token.Length.ShouldBe(32);
        info.AuthToken.SessionId.ShouldNotBeEmpty();
        info.AuthToken.Expiration.ShouldBeInRange(DateTimeOffset.UtcNow.AddMinutes(29).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(31).ToUnixTimeSeconds());
        info.TicketParams.ShouldBeNull("off-chain orchestrators send no ticket params");
    }

    [Fact]
    public async Task A_request_with_capabilities_gets_the_summed_price_of_the_requested_models_and_no_hardware()
    {
        var caps = new Capabilities { Constraints = new Capabilities.Types.Constraints() };
        foreach (var (cap, model) in new[] { (27u, "stabilityai/sdxl-turbo"), (33u, "meta-llama/Meta-Llama-3.1-8B-Instruct") })
        {
            caps.Capacities[cap] = 1;
            var perCap = new Capabilities.Types.CapabilityConstraints();
            perCap.Models[model] = new Capabilities.Types.CapabilityConstraints.Types.ModelConstraint();
            caps.Constraints.PerCapability[cap] = perCap;
        }

        var info = await PostAsync(new OrchestratorRequest { Capabilities = caps });

        (info.PriceInfo.PricePerUnit, info.PriceInfo.PixelsPerUnit).ShouldBe((4768371L + 60_000_000L, 1L));
        info.CapabilitiesPrices.ShouldBeEmpty();
        info.Hardware.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_requested_cap_missing_from_capacities_is_not_priced()
    {
        var caps = new Capabilities { Constraints = new Capabilities.Types.Constraints() };
        caps.Capacities[27] = 1;
        var perCap = new Capabilities.Types.CapabilityConstraints();
        perCap.Models["meta-llama/Meta-Llama-3.1-8B-Instruct"] = new Capabilities.Types.CapabilityConstraints.Types.ModelConstraint();
        caps.Constraints.PerCapability[33] = perCap;

        var info = await PostAsync(new OrchestratorRequest { Capabilities = caps });

        info.PriceInfo.PricePerUnit.ShouldBe(0L);
    }

    [Fact]
    public async Task Accept_json_gives_the_same_message_as_protobuf_json()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/getOrchestrator") { Content = new ByteArrayContent([]) };
        request.Headers.Accept.ParseAdd("application/json");

        var response = await _orch.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var json = await response.Content.ReadAsStringAsync();
        var info = OrchestratorInfo.Parser.ParseJson(json);
        info.Transcoder.ShouldBe("https://orch.example:8935");
        info.Capabilities.Constraints.PerCapability[27].Models["stabilityai/sdxl-turbo"].Capacity.ShouldBe(2u);
        var root = JsonDocument.Parse(json).RootElement;
        root.GetProperty("transcoder").GetString().ShouldBe("https://orch.example:8935");
        root.GetProperty("capabilitiesPrices").GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public async Task A_json_request_body_is_accepted_too()
    {
        var content = new StringContent("""{"capabilities":{"capacities":{"27":1},"constraints":{"PerCapability":{"27":{"models":{"stabilityai/sdxl-turbo":{}}}}}}}""");
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await _orch.Client.PostAsync("/getOrchestrator", content);

        var info = OrchestratorInfo.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        info.PriceInfo.PricePerUnit.ShouldBe(4768371L);
    }

    [Fact]
    public async Task Each_answer_carries_a_fresh_session()
    {
        var a = await PostAsync(null);
        var b = await PostAsync(null);

        a.AuthToken.SessionId.ShouldNotBe(b.AuthToken.SessionId);
    }

    [Fact]
    public async Task A_body_that_is_not_an_orchestrator_request_is_a_400_json_error()
    {
        var content = new ByteArrayContent([0xFF, 0xFF, 0xFF, 0xFF]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");

        var response = await _orch.Client.PostAsync("/getOrchestrator", content);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        (await Errors.DetailAsync(response)).ShouldContain("OrchestratorRequest");
    }

    [Fact]
    public async Task Status_reports_models_runners_and_counters()
    {
        var root = JsonDocument.Parse(await _orch.Client.GetStringAsync("/status")).RootElement;

        root.GetProperty("name").GetString().ShouldBe("orch-test");
        root.GetProperty("serviceUri").GetString().ShouldBe("https://orch.example:8935");
        root.GetProperty("address").GetString()!.Length.ShouldBe(42);
        root.GetProperty("ready").GetBoolean().ShouldBeTrue();
        var models = root.GetProperty("models");
        models.GetArrayLength().ShouldBe(2);
        models[0].GetProperty("pipeline").GetString().ShouldBe("text-to-image");
        models[0].GetProperty("capacity").GetInt32().ShouldBe(2);
        models[0].GetProperty("inUse").GetInt32().ShouldBe(0);
        models[0].GetProperty("price").GetProperty("weiPerUnit").GetString().ShouldBe("4768371");
        root.GetProperty("jobsServed").GetInt64().ShouldBe(0);
        root.GetProperty("ticketsReceived").GetInt64().ShouldBe(0);
    }
}
