using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pricing;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Tests.Selection;

/// <summary>The gateway's max prices written as go-livepeer's -maxPricePerUnit and -maxPricePerCapability take them.</summary>
public sealed class MaxPriceSyntaxTests
{
    private static readonly Pipeline T2i = PipelineCatalog.TextToImage;

    [Theory]
    [InlineData("1000", 1, "1000")]
    [InlineData("1000wei", 1, "1000")]
    [InlineData("1e-6eth", 1, "1000000000000")]
    [InlineData("0.000001ETH", 4, "250000000000")]
    [InlineData("0.5USD", 1, "250000000000000")] // 0.5 USD at 2,000 USD/ETH = 2.5e14 wei
    [InlineData("0.5usd", 1000, "250000000000")]
    public void Max_price_per_unit_takes_wei_and_currency_suffixes(string value, long pixelsPerUnit, string expectedWeiPerUnit)
    {
        var options = new SelectionOptions { MaxPricePerUnit = value, PixelsPerUnit = pixelsPerUnit };
        options.Validate().ShouldBeEmpty();

        new MaxPrices(TestSessions.Prices).For(options, T2i, "m").ShouldBe(BigRational.Parse(expectedWeiPerUnit));
    }

    [Theory]
    [InlineData("5GBP")]
    [InlineData("-1")]
    [InlineData("USD")]
    [InlineData("0.5 US dollars")]
    public void Unreadable_max_prices_are_refused_naming_the_key_and_the_forms(string value)
    {
        var errors = new SelectionOptions { MaxPricePerUnit = value }.Validate().ToList();

        errors.ShouldHaveSingleItem().ShouldContain("Selection:MaxPricePerUnit");
        errors[0].ShouldContain("0.5USD");
    }

    [Fact]
    public void Go_livepeers_capabilities_prices_json_sets_per_model_prices_with_currency()
    {
        var options = new SelectionOptions
        {
            MaxPricePerUnit = "7",
            MaxPricePerCapabilityJson = """
                {"capabilities_prices":[
                  {"pipeline":"text-to-image","model_id":"m","price_per_unit":0.001,"pixels_per_unit":1000,"currency":"USD"},
                  {"pipeline":"llm","price_per_unit":300}
                ]}
                """,
        };
        options.Validate().ShouldBeEmpty();
        var prices = new MaxPrices(TestSessions.Prices);

        prices.For(options, T2i, "m").ShouldBe(BigRational.Parse("500000000"), "0.001 USD per 1000 pixels at 2,000 USD/ETH");
        prices.For(options, PipelineCatalog.Llm, "any-model").ShouldBe(new BigRational(300), "a missing model_id is the pipeline's default entry");
        prices.For(options, T2i, "other").ShouldBe(new BigRational(7), "no entry for the model: the global max price");
    }

    [Fact]
    public void The_json_may_be_a_file_as_go_livepeer_allows()
    {
        var path = Path.Combine(Path.GetTempPath(), $"max-prices-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"capabilities_prices":[{"pipeline":"upscale","model_id":"x","price_per_unit":"2eth"}]}""");
        try
        {
            var options = new SelectionOptions { MaxPricePerCapabilityJson = path };
            options.Validate().ShouldBeEmpty();

            new MaxPrices(TestSessions.Prices).For(options, PipelineCatalog.Upscale, "x").ShouldBe(BigRational.Parse("2000000000000000000"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Changed_settings_are_converted_afresh()
    {
        var prices = new MaxPrices(TestSessions.Prices);
        prices.For(new SelectionOptions { MaxPricePerUnit = "10" }, T2i, "m").ShouldBe(new BigRational(10));

        prices.For(new SelectionOptions { MaxPricePerUnit = "20" }, T2i, "m").ShouldBe(new BigRational(20));
    }

    [Fact]
    public async Task A_gateway_starts_with_a_usd_max_price_and_refuses_an_unreadable_eth_usd_price()
    {
        await using (var host = await GatewayHost.StartAsync([], new() { ["Selection:MaxPricePerUnit"] = "0.02USD", ["Pricing:EthUsd"] = "2500" }))
        {
            var options = host.Get<StrategySelector>().Options;
            host.Get<MaxPrices>().For(options, T2i, "m").ShouldBe(BigRational.Parse("8000000000000"));
        }

        var refused = await Should.ThrowAsync<OptionsValidationException>(async () =>
        {
            await using var host = await GatewayHost.StartAsync([], new() { ["Pricing:EthUsd"] = "lots" });
        });
        refused.Message.ShouldContain("Pricing:EthUsd");
    }
}
