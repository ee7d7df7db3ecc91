using LivepeerAspire.Orchestrator.Models;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Orchestrator.Tests;

public sealed class AiModelsLoaderTests
{
    private const string File = "/etc/lp/aiModels.json";

    private static IReadOnlyList<ModelEntry> Parse(string json, string? ethUsd = null) =>
        AiModelsLoader.Parse(json, File, ethUsd is null ? null : BigRational.Parse(ethUsd));

    private static string Refusal(string json, string? ethUsd = null) =>
        Should.Throw<AiModelsException>(() => Parse(json, ethUsd)).Message;

    [Fact]
    public void A_valid_file_gives_exact_prices_per_unit_in_wei()
    {
        var entries = Parse("""
            [
              {"pipeline":"llm","model_id":"meta-llama/Meta-Llama-3.1-8B-Instruct","warm":true,"price_per_unit":0.18,"currency":"USD","pixels_per_unit":1000000,"url":"http://127.0.0.1:8000"},
              {"pipeline":"text-to-image","model_id":"stabilityai/sdxl-turbo","price_per_unit":0.1,"pixels_per_unit":3,"capacity":2,"url":"http://127.0.0.1:9000/gpus/a/","token":"t"},
              {"pipeline":"image-to-video","model_id":"svd","price_per_unit":1e-9,"currency":"eth","url":"http://127.0.0.1:9000/gpus/b"}
            ]
            """, ethUsd: "3000");

        entries.Count.ShouldBe(3);
        entries[0].WeiPerUnit.ShouldBe(new BigRational(60_000_000));
        entries[0].Warm.ShouldBeTrue();
        entries[0].Capacity.ShouldBe(1);
        entries[1].WeiPerUnit.ShouldBe(new BigRational(1, 30));
        entries[1].Capacity.ShouldBe(2);
        entries[1].Token.ShouldBe("t");
        entries[1].RunnerUrl.ToString().ShouldBe("http://127.0.0.1:9000/gpus/a/");
        entries[2].WeiPerUnit.ShouldBe(new BigRational(1_000_000_000));
        entries[2].RunnerUrl.ToString().ShouldBe("http://127.0.0.1:9000/gpus/b/");
    }

    [Fact]
    public void Null_price_pixels_and_currency_mean_absent()
    {
        var entry = Parse("""[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","price_per_unit":null,"pixels_per_unit":null,"currency":null,"token":null}]""")[0];

        entry.Priced.ShouldBeFalse();
        entry.Token.ShouldBeNull();
    }

    [Fact]
    public void A_missing_price_means_unpriced()
    {
        var entry = Parse("""[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1"}]""")[0];

        entry.Priced.ShouldBeFalse();
        entry.WeiPerUnit.ShouldBe(BigRational.Zero);
    }

    [Theory]
    [InlineData("""[{"pipeline":"text-to-banana","model_id":"m","url":"http://127.0.0.1:1"}]""", "entry 0", "unknown pipeline 'text-to-banana'")]
    [InlineData("""[{"model_id":"m","url":"http://127.0.0.1:1"}]""", "entry 0", "pipeline is missing")]
    [InlineData("""[{"pipeline":"llm","url":"http://127.0.0.1:1"}]""", "entry 0", "model_id is missing")]
    [InlineData("""[{"pipeline":"llm","model_id":"m"}]""", "entry 0 (llm m)", "url is missing")]
    [InlineData("""[{"pipeline":"llm","model_id":"m","url":"ftp://x"}]""", "entry 0 (llm m)", "not an absolute http(s) URL")]
    [InlineData("""[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","price_per_unit":-1}]""", "entry 0 (llm m)", "price_per_unit must be 0 or more")]
    [InlineData("""[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","price_per_unit":"5"}]""", "entry 0 (llm m)", "price_per_unit must be a JSON number")]
    [InlineData("""[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","price_per_unit":2,"currency":"eth"}]""", "entry 0 (llm m)", "more than 1 ETH per unit")]
    [InlineData("""[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","price_per_unit":1,"pixels_per_unit":0}]""", "entry 0 (llm m)", "pixels_per_unit must be a positive integer")]
    [InlineData("""[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","price_per_unit":1,"pixels_per_unit":1.5}]""", "entry 0 (llm m)", "pixels_per_unit must be a positive integer")]
    [InlineData("""[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","price_per_unit":1,"currency":"USD"}]""", "entry 0 (llm m)", "Pricing:EthUsd")]
    [InlineData("""[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","price_per_unit":1,"currency":"EUR"}]""", "entry 0 (llm m)", "currency 'EUR' is not supported")]
    [InlineData("""[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","capacity":-2}]""", "entry 0 (llm m)", "capacity must be 0 (means 1) or more")]
    [InlineData("""[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","optimization_flags":{"MAX_MODEL_LEN":4096}}]""", "entry 0 (llm m)", "optimization_flags.MAX_MODEL_LEN must be a string or a boolean")]
    [InlineData("""[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","gateway":"me"}]""", "entry 0 (llm m)", "gateway must be")]
    [InlineData("""[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","warm":true},{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:2"}]""", "entry 1 (llm m)", "warm in entry 0 and cold here")]
    [InlineData("""[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","price_per_unit":1},{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:2","price_per_unit":2}]""", "entry 1 (llm m)", "price differs from entry 0")]
    [InlineData("""[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","capacity":"2"}]""", "$[0].capacity", "invalid JSON")]
    [InlineData("""[{"pipeline":"llm",}]""", "aiModels file", "invalid JSON")]
    [InlineData("""{"pipeline":"llm"}""", "aiModels file", "must be a JSON array")]
    [InlineData("""[]""", "aiModels file", "has no entries")]
    [InlineData("""[null]""", "entry 0", "is null")]
    public void Bad_entries_are_refused_with_the_file_the_entry_and_the_reason(string json, string where, string reason)
    {
        var message = Refusal(json);

        message.ShouldContain(File);
        message.ShouldContain(where);
        message.ShouldContain(reason);
    }

    [Fact]
    public void Optimization_flags_may_be_strings_or_booleans()
    {
        var entry = Parse("""[{"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","warm":true,"optimization_flags":{"SFAST":true,"MAX_MODEL_LEN":"4096"}}]""")[0];

        entry.Source.OptimizationFlags!.Count.ShouldBe(2);
    }

    [Fact]
    public void A_missing_file_is_refused_with_its_path()
    {
        var message = Should.Throw<AiModelsException>(() => AiModelsLoader.LoadFile("/nonexistent/aiModels.json", null)).Message;

        message.ShouldContain("/nonexistent/aiModels.json");
    }

    [Fact]
    public void No_file_configured_is_refused_with_the_key_to_set() =>
        Should.Throw<AiModelsException>(() => AiModelsLoader.LoadFile(null, null)).Message.ShouldContain("Orchestrator:AiModelsFile");

    [Fact]
    public void Several_runners_for_one_model_add_up_and_keep_per_gateway_prices()
    {
        var catalog = new ModelCatalog(Parse("""
            [
              {"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:1","capacity":2,"price_per_unit":10},
              {"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:2","capacity":3,"price_per_unit":10},
              {"pipeline":"llm","model_id":"m","url":"http://127.0.0.1:3","price_per_unit":4,"gateway":"0x00000000000000000000000000000000000000AA"}
            ]
            """));

        var model = catalog.Models.ShouldHaveSingleItem();
        model.Capacity.ShouldBe(6);
        model.Runners.Count.ShouldBe(3);
        model.PriceFor(null).ShouldBe(new BigRational(10));
        model.PriceFor("0x00000000000000000000000000000000000000aa").ShouldBe(new BigRational(4));
        model.PriceFor("0x00000000000000000000000000000000000000bb").ShouldBe(new BigRational(10));
    }
}
