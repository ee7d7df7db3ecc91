using System.Numerics;
using System.Text.Json;
using LivepeerAspire.Protocol.AiModels;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Protocol.Tests.Pricing;

public sealed class PricesTests
{
    private static readonly PriceConverter Converter = new(new PricingOptions { EthUsd = "2500" });

    [Fact]
    public void Fee_is_units_times_price_per_unit_over_pixels_per_unit_exactly()
    {
        var price = new PriceInfo { PricePerUnit = 4_768_371, PixelsPerUnit = 1_000_000 };
        Fees.Fee(512 * 512, price).ShouldBe(new BigRational(4_768_371L * 512 * 512, 1_000_000));
        Fees.Fee(3, new BigRational(1, 3)).ShouldBe(BigRational.One);
        Fees.ToWeiString(new BigRational(7, 2)).ShouldBe("4");
        Fees.ToWeiString(new BigRational(8)).ShouldBe("8");
        Should.Throw<ArgumentOutOfRangeException>(() => Fees.Fee(-1, BigRational.One));
    }

    [Fact]
    public void Currencies_convert_to_wei_per_unit()
    {
        Converter.TryToWeiPerUnit(BigRational.Parse("12"), 4, "", out var wei, out _).ShouldBeTrue();
        wei.ShouldBe(new BigRational(3));
        Converter.TryToWeiPerUnit(BigRational.Parse("12"), 4, "WEI", out wei, out _).ShouldBeTrue();
        wei.ShouldBe(new BigRational(3));
        Converter.TryToWeiPerUnit(BigRational.Parse("0.5"), 1, "eth", out wei, out _).ShouldBeTrue();
        wei.ShouldBe(new BigRational(BigInteger.Pow(10, 18) / 2));
        // docs PR 690's text-to-image price: 1.9073484e-08 USD per pixel at 2500 USD/ETH
        Converter.TryToWeiPerUnit(BigRational.Parse("1.9073484e-08"), 1, "USD", out wei, out _).ShouldBeTrue();
        wei.ShouldBe(new BigRational(19_073_484L * BigInteger.Pow(10, 18), BigInteger.Pow(10, 15) * 2500));
        wei.Floor().ShouldBe(new BigInteger(7_629_393));

        Converter.TryToWeiPerUnit(1, 1, "EUR", out _, out var error).ShouldBeFalse();
        error.ShouldContain("EUR");
        Converter.TryToWeiPerUnit(-1, 1, "wei", out _, out error).ShouldBeFalse();
        error.ShouldContain("negative");
        Converter.TryToWeiPerUnit(1, 0, "wei", out _, out error).ShouldBeFalse();
        Should.Throw<ArgumentException>(() => new PriceConverter(new PricingOptions { EthUsd = "-3" }));
    }

    [Fact]
    public void PriceInfo_keeps_exact_fractions_and_floors_those_that_overflow_int64()
    {
        var info = PriceInfos.ToPriceInfo(new BigRational(7, 3), 27, "m");
        (info.PricePerUnit, info.PixelsPerUnit, info.Capability, info.Constraint).ShouldBe((7L, 3L, 27u, "m"));
        PriceInfos.IsExact(new BigRational(7, 3)).ShouldBeTrue();

        // 1e18 / (2500 × 1e15) style: a denominator beyond int64 → floor(price)/1
        var usd = new BigRational(19_073_484L * BigInteger.Pow(10, 18), BigInteger.Pow(10, 24) * 2500 + 1);
        var truncated = PriceInfos.ToPriceInfo(usd);
        (truncated.PricePerUnit, truncated.PixelsPerUnit).ShouldBe(((long)usd.Floor(), 1L));
        PriceInfos.IsExact(usd).ShouldBeFalse();

        PriceInfos.ToRational(new PriceInfo { PricePerUnit = 6, PixelsPerUnit = 4 }).ShouldBe(new BigRational(3, 2));
        PriceInfos.TryToRational(new PriceInfo { PricePerUnit = 6, PixelsPerUnit = 0 }, out _, out var error).ShouldBeFalse();
        error.ShouldContain("pixelsPerUnit");
        PriceInfos.TryToRational(null, out _, out _).ShouldBeFalse();
        PriceInfos.TryToRational(new PriceInfo { PricePerUnit = -1, PixelsPerUnit = 2 }, out _, out error).ShouldBeFalse();
        error.ShouldContain("must not be negative");
        Should.Throw<ArgumentException>(() => PriceInfos.ToRational(new PriceInfo { PricePerUnit = 1, PixelsPerUnit = 0 }));
    }

    [Fact]
    public void A_numerator_beyond_int64_is_advertised_as_whole_wei_and_a_whole_part_beyond_int64_is_refused()
    {
        var huge = new BigRational(BigInteger.Pow(10, 30) + 7, BigInteger.Pow(10, 20));
        var truncated = PriceInfos.ToPriceInfo(huge);
        (truncated.PricePerUnit, truncated.PixelsPerUnit).ShouldBe((10_000_000_000L, 1L));
        PriceInfos.Advertised(huge).ShouldBe(new BigRational(10_000_000_000L));

        var justFits = new BigRational(BigInteger.Parse("92233720368547758071"), 10); // long.MaxValue + 0.1
        (PriceInfos.ToPriceInfo(justFits).PricePerUnit, PriceInfos.ToPriceInfo(justFits).PixelsPerUnit).ShouldBe((long.MaxValue, 1L));
        var tooBig = PriceInfos.MaxWeiPerUnit + BigRational.One;
        Should.Throw<ArgumentOutOfRangeException>(() => PriceInfos.ToPriceInfo(tooBig));
        Should.Throw<ArgumentOutOfRangeException>(() => PriceInfos.ToWholeWeiPriceInfo(tooBig));
        PriceInfos.CapAtMax(tooBig).ShouldBe(PriceInfos.MaxWeiPerUnit);
        PriceInfos.CapAtMax(new BigRational(7, 3)).ShouldBe(new BigRational(7, 3));
    }

    [Fact]
    public void Whole_wei_PriceInfo_floors_to_one_unit_and_negative_prices_are_refused()
    {
        var floored = PriceInfos.ToWholeWeiPriceInfo(new BigRational(599_999_999, 10), 33, "m");
        (floored.PricePerUnit, floored.PixelsPerUnit, floored.Capability, floored.Constraint).ShouldBe((59_999_999L, 1L, 33u, "m"));
        var zero = PriceInfos.ToPriceInfo(BigRational.Zero);
        (zero.PricePerUnit, zero.PixelsPerUnit).ShouldBe((0L, 1L));

        Should.Throw<ArgumentOutOfRangeException>(() => PriceInfos.ToPriceInfo(new BigRational(-1, 3)));
        Should.Throw<ArgumentOutOfRangeException>(() => PriceInfos.ToWholeWeiPriceInfo(new BigRational(-1, 3)));
    }

    [Theory]
    [InlineData("""{"pipeline":"llm","model_id":"m","price_per_unit":0.18,"pixels_per_unit":1}""", true, "9/50")]
    [InlineData("""{"pipeline":"llm","model_id":"m","price_per_unit":5,"pixels_per_unit":1000000,"currency":"eth"}""", true, "5000000000000")]
    [InlineData("""{"pipeline":"llm","model_id":"m","price_per_unit":0}""", true, "0")]
    [InlineData("""{"pipeline":"llm","model_id":"m","price_per_unit":-1}""", false, "must not be negative")]
    [InlineData("""{"pipeline":"llm","model_id":"m","price_per_unit":"5"}""", false, "must be a JSON number")]
    [InlineData("""{"pipeline":"llm","model_id":"m"}""", false, "price_per_unit is missing")]
    [InlineData("""{"pipeline":"llm","model_id":"m","price_per_unit":1,"pixels_per_unit":0}""", false, "pixels_per_unit must be a positive integer")]
    [InlineData("""{"pipeline":"llm","model_id":"m","price_per_unit":1,"pixels_per_unit":1.5}""", false, "pixels_per_unit must be a positive integer")]
    [InlineData("""{"pipeline":"llm","model_id":"m","price_per_unit":1e30}""", false, "more than a PriceInfo can carry")]
    [InlineData("""{"pipeline":"llm","model_id":"m","price_per_unit":100,"currency":"eth"}""", false, "more than a PriceInfo can carry")]
    [InlineData("""{"pipeline":"llm","model_id":"m","price_per_unit":1,"currency":"doge"}""", false, "not supported")]
    public void AiModels_prices_are_checked(string json, bool ok, string expected)
    {
        var model = JsonSerializer.Deserialize<AiModelConfig>(json, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!;
        ModelPrices.TryGetWeiPerUnit(model, Converter, out var wei, out var error).ShouldBe(ok, error);
        if (ok)
        {
            wei.ToString().ShouldBe(expected);
        }
        else
        {
            error!.ShouldContain(expected);
            error.ShouldStartWith("llm/m:");
        }
    }
}
