using System.Numerics;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Protocol.Tests.Pricing;

public sealed class BigRationalTests
{
    [Theory]
    [InlineData("12", "12")]
    [InlineData("0.18", "9/50")]
    [InlineData("1.9073484e-08", "4768371/250000000000000")]
    [InlineData("-3.5", "-7/2")]
    [InlineData("2E3", "2000")]
    public void Parses_json_numbers_exactly(string text, string expected)
    {
        BigRational.Parse(text).ToString().ShouldBe(expected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("1e99999")]
    public void Rejects_what_is_not_a_number(string text)
    {
        BigRational.TryParse(text, out _).ShouldBeFalse();
    }

    [Fact]
    public void Reduces_and_keeps_the_denominator_positive()
    {
        var r = new BigRational(6, -4);
        r.Numerator.ShouldBe(new BigInteger(-3));
        r.Denominator.ShouldBe(new BigInteger(2));
    }

    [Fact]
    public void Floor_and_ceiling_round_towards_the_right_integer()
    {
        new BigRational(7, 2).Floor().ShouldBe(new BigInteger(3));
        new BigRational(7, 2).Ceiling().ShouldBe(new BigInteger(4));
        new BigRational(-7, 2).Floor().ShouldBe(new BigInteger(-4));
        new BigRational(-7, 2).Ceiling().ShouldBe(new BigInteger(-3));
        new BigRational(8, 2).Ceiling().ShouldBe(new BigInteger(4));
    }
}
