using System.Numerics;
using System.Security.Cryptography;
using LivepeerAspire.Orchestrator.Discovery;
using LivepeerAspire.Orchestrator.Jobs;
using LivepeerAspire.Orchestrator.Models;
using LivepeerAspire.Orchestrator.Payments;
using LivepeerAspire.Orchestrator.Runners;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pricing;
using LivepeerAspire.Protocol.Wire;
using Capabilities = LivepeerAspire.Protocol.Net.Capabilities;
using OrchestratorRequest = LivepeerAspire.Protocol.Net.OrchestratorRequest;

namespace LivepeerAspire.Orchestrator.Tests;

public sealed class UnitTests
{
    [Theory]
    [InlineData(27u, 0, 27)]
    [InlineData(33u, 0, 33)]
    [InlineData(63u, 0, 63)]
    [InlineData(64u, 1, 0)]
    [InlineData(130u, 2, 2)]
    public void Capability_c_is_bit_c_mod_64_of_word_c_div_64(uint capability, int word, int bit)
    {
        var words = new List<ulong>();

        CapabilitiesBuilder.SetBit(words, capability);

        words.Count.ShouldBe(word + 1);
        words[word].ShouldBe(1UL << bit);
        CapabilitiesBuilder.HasBit(words, capability).ShouldBeTrue();
        CapabilitiesBuilder.HasBit(words, capability + 1).ShouldBeFalse();
    }

    [Fact]
    public void Capabilities_carry_bits_capacities_and_per_model_constraints()
    {
        var catalog = new ModelCatalog(AiModelsLoader.Parse("""
            [
              {"pipeline":"text-to-image","model_id":"a","url":"http://127.0.0.1:1","capacity":2,"warm":true},
              {"pipeline":"text-to-image","model_id":"b","url":"http://127.0.0.1:2"},
              {"pipeline":"llm","model_id":"l","url":"http://127.0.0.1:3","capacity":4}
            ]
            """, "f", null));
        catalog.Models[0].Runners[0].MarkReady("0.14.1", new HardwareInformation("text-to-image", "a", []));
        using var lease = catalog.Models[0].TryReserve();

        var caps = CapabilitiesBuilder.Build(catalog, "0.8.9");

        caps.Bitstring.ShouldBe([(1UL << 27) | (1UL << 33)]);
        caps.Capacities[27].ShouldBe(3u);
        caps.Capacities[33].ShouldBe(4u);
        caps.Version.ShouldBe("0.8.9");
        var a = caps.Constraints.PerCapability[27].Models["a"];
        a.Warm.ShouldBeTrue();
        a.Capacity.ShouldBe(2u);
        a.RunnerVersion.ShouldBe("0.14.1");
        a.CapacityInUse.ShouldBe(1u);
        caps.Constraints.PerCapability[27].Models["b"].Warm.ShouldBeFalse();
        caps.Constraints.PerCapability[33].Models["l"].Capacity.ShouldBe(4u);
    }

    [Fact]
    public void Auth_token_is_the_hmac_of_session_id_and_minimal_big_endian_expiration_thirty_minutes_ahead()
    {
        var secret = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var time = new ManualTime(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        var issuer = new AuthTokenIssuer(secret, time, TimeSpan.FromMinutes(30));

        var token = issuer.Issue();

        token.Expiration.ShouldBe(1_700_000_000 + 1800);
        token.SessionId.Length.ShouldBe(8);
        byte[] message = [.. System.Text.Encoding.UTF8.GetBytes(token.SessionId), .. new BigInteger(token.Expiration).ToByteArray(isUnsigned: true, isBigEndian: true)];
        var expected = HMACSHA256.HashData(secret, message);
        token.Token.ToByteArray().ShouldBe(expected);
        issuer.IsValid(token).ShouldBeTrue();
        issuer.Verify(null).ShouldBe(AuthTokenVerdict.Missing);
        new AuthTokenIssuer(new byte[32], time, TimeSpan.FromMinutes(30)).Verify(token).ShouldBe(AuthTokenVerdict.NotIssuedHere);

        time.Now = DateTimeOffset.FromUnixTimeSeconds(token.Expiration);
        issuer.Verify(token).ShouldBe(AuthTokenVerdict.Valid);
        time.Now = time.Now.AddTicks(1);
        issuer.Verify(token).ShouldBe(AuthTokenVerdict.Expired);
        issuer.IsValid(token).ShouldBeFalse();
        var forged = token.Clone();
        forged.Expiration += 3600;
        issuer.Verify(forged).ShouldBe(AuthTokenVerdict.NotIssuedHere, "a later expiry does not carry this orchestrator's HMAC");
    }

    [Fact]
    public void Minimal_big_endian_expiration_drops_leading_zero_bytes()
    {
        var secret = new byte[32];
        // 1800 = 0x0708: two bytes, no leading zero and no sign byte.
        AuthTokenIssuer.Sign(secret, "s", 1800).ShouldBe(HMACSHA256.HashData(secret, "s"u8.ToArray().Concat(new byte[] { 0x07, 0x08 }).ToArray()));
        // 128 = 0x80 would get a sign byte from a signed encoding.
        AuthTokenIssuer.Sign(secret, "s", 128).ShouldBe(HMACSHA256.HashData(secret, "s"u8.ToArray().Concat(new byte[] { 0x80 }).ToArray()));
    }

    [Fact]
    public void The_summed_price_of_many_requested_models_is_advertised_capped_at_int64_and_single_prices_as_they_are()
    {
        // Nine models at 1 ETH per unit (the most the loader accepts) and one at 1/3 ETH sum to 9.33e18 wei per unit,
        // beyond a PriceInfo's int64.
        var entries = Enumerable.Range(0, 10).Select(i =>
            $$"""{"pipeline":"llm","model_id":"m{{i}}","url":"http://127.0.0.1:1","price_per_unit":1,"currency":"eth","pixels_per_unit":{{(i == 0 ? 3 : 1)}}}""");
        var catalog = new ModelCatalog(AiModelsLoader.Parse($"[{string.Join(",", entries)}]", "f", null));
        var options = Microsoft.Extensions.Options.Options.Create(new OrchestratorOptions());
        var builder = new OrchestratorInfoBuilder(catalog, new AuthTokenIssuer(new byte[32], TimeProvider.System, TimeSpan.FromMinutes(30)),
            new OffchainTicketParamsSource(options), options);

        var all = builder.Build(new OrchestratorRequest { Capabilities = Request(catalog.Models) }, "http://o");
        var one = builder.Build(new OrchestratorRequest { Capabilities = Request(catalog.Models.Take(1)) }, "http://o");
        var poll = builder.Build(new OrchestratorRequest(), "http://o");

        (all.PriceInfo.PricePerUnit, all.PriceInfo.PixelsPerUnit).ShouldBe((long.MaxValue, 1L));
        (one.PriceInfo.PricePerUnit, one.PriceInfo.PixelsPerUnit).ShouldBe((1_000_000_000_000_000_000L, 3L));
        (poll.PriceInfo.PricePerUnit, poll.PriceInfo.PixelsPerUnit).ShouldBe((0L, 1L));
        var listed = poll.CapabilitiesPrices.Single(p => p.Constraint == "m0");
        (listed.PricePerUnit, listed.PixelsPerUnit, listed.Capability).ShouldBe((333_333_333_333_333_333L, 1L, 33u));
    }

    private static Capabilities Request(IEnumerable<ServedModel> models)
    {
        var caps = new Capabilities { Constraints = new Capabilities.Types.Constraints() };
        foreach (var model in models)
        {
            var id = (uint)model.Pipeline.CapabilityId;
            caps.Capacities[id] = 1;
            if (!caps.Constraints.PerCapability.TryGetValue(id, out var perCap))
            {
                perCap = new Capabilities.Types.CapabilityConstraints();
                caps.Constraints.PerCapability[id] = perCap;
            }

            perCap.Models[model.ModelId] = new Capabilities.Types.CapabilityConstraints.Types.ModelConstraint();
        }

        return caps;
    }

    [Fact]
    public void Runner_slots_are_only_taken_when_ready_and_never_beyond_capacity()
    {
        var model = new ModelCatalog(AiModelsLoader.Parse("""[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","capacity":2}]""", "f", null)).Models[0];
        model.TryReserve().ShouldBeNull("a runner that is still starting has no capacity");

        model.Runners[0].MarkReady("1.0.0", new HardwareInformation("llm", "m", []));
        var first = model.TryReserve().ShouldNotBeNull();
        var second = model.TryReserve().ShouldNotBeNull();
        model.TryReserve().ShouldBeNull();
        model.InUse.ShouldBe(2);

        first.Dispose();
        first.Dispose();
        model.InUse.ShouldBe(1);
        model.TryReserve().ShouldNotBeNull();
        second.Dispose();
    }

    [Fact]
    public void Runner_version_advertised_is_the_lowest_of_the_ready_runners()
    {
        var model = new ModelCatalog(AiModelsLoader.Parse("""
            [{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1"},{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:2"},{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:3"}]
            """, "f", null)).Models[0];
        model.Runners[0].MarkReady("0.14.1", new HardwareInformation("llm", "m", []));
        model.Runners[1].MarkReady("0.9.10", new HardwareInformation("llm", "m", []));

        model.RunnerVersion.ShouldBe("0.9.10");
    }

    [Theory]
    [InlineData("", "only")]
    [InlineData("only", "only")]
    [InlineData("ONLY", "only")]
    [InlineData("other", null)]
    public void An_empty_model_id_means_the_only_model_of_the_pipeline(string requested, string? expected)
    {
        var catalog = new ModelCatalog(AiModelsLoader.Parse("""[{"pipeline":"llm","model_id":"only","url":"http://127.0.0.1:1"}]""", "f", null));

        catalog.Resolve(PipelineCatalog.Llm, requested)?.ModelId.ShouldBe(expected);
        if (expected is null)
        {
            catalog.Resolve(PipelineCatalog.Llm, requested).ShouldBeNull();
        }
    }

    [Fact]
    public void An_empty_model_id_with_several_models_means_the_pipeline_default()
    {
        var catalog = new ModelCatalog(AiModelsLoader.Parse("""
            [{"pipeline":"text-to-image","model_id":"x","url":"http://127.0.0.1:1"},{"pipeline":"text-to-image","model_id":"stabilityai/sdxl-turbo","url":"http://127.0.0.1:2"}]
            """, "f", null));

        catalog.Resolve(PipelineCatalog.TextToImage, "")!.ModelId.ShouldBe("stabilityai/sdxl-turbo");
    }

    [Theory]
    [InlineData("""{"model":"","messages":[{"role":"user","content":"hi"}],"max_tokens":64,"stream":true}""", 64)]
    [InlineData("""{"prompt":"a cat","height":64,"width":32,"num_images_per_prompt":2}""", 4096)]
    [InlineData("""{"prompt":"a cat"}""", 262144)]
    public async Task Units_for_json_jobs(string json, long units)
    {
        var pipeline = json.Contains("messages") ? PipelineCatalog.Llm : PipelineCatalog.TextToImage;

        (await JobReader.ReadAsync(pipeline, System.Text.Encoding.UTF8.GetBytes(json), "application/json", CancellationToken.None)).Job!.Units.ShouldBe(units);
    }

    [Fact]
    public async Task Text_to_speech_units_are_utf8_bytes_as_the_gateway_pays() =>
        (await JobReader.ReadAsync(PipelineCatalog.TextToSpeech, """{"text":"héllo"}"""u8.ToArray(), "application/json", CancellationToken.None)).Job!.Units.ShouldBe(6);
}
