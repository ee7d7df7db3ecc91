using System.Text.RegularExpressions;

namespace LivepeerAspire.Protocol.Pricing;

/// <summary>
/// A price as go-livepeer's price flags take it (<c>-maxPricePerUnit</c>, <c>-pricePerUnit</c>): a number with an
/// optional currency suffix, <c>1000</c>, <c>0.5USD</c>, <c>0.000001eth</c> or <c>12wei</c>. go-livepeer's own pattern is
/// <c>^(\d+(\.\d+)?)([A-z][A-z0-9]*)?$</c>; exponents (<c>1e-9eth</c>) are accepted here as well.
/// </summary>
public readonly partial record struct ConfiguredPrice(BigRational Amount, string Currency)
{
    public const string AcceptedForms = "a non-negative number of wei, optionally with a currency: 1000, 0.5USD, 0.000001eth or 12wei";

    private static readonly string[] Currencies = ["wei", "eth", "usd"];

    public static bool TryParse(string? text, out ConfiguredPrice price)
    {
        price = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (BigRational.TryParse(s, out var plain))
        {
            price = new ConfiguredPrice(plain, "wei");
            return plain.Sign >= 0;
        }

        var match = AmountAndCurrency().Match(s);
        if (!match.Success
            || !BigRational.TryParse(match.Groups["amount"].Value, out var amount)
            || amount.Sign < 0)
        {
            return false;
        }

        var currency = match.Groups["currency"].Value.ToLowerInvariant();
        if (!Currencies.Contains(currency))
        {
            return false;
        }

        price = new ConfiguredPrice(amount, currency);
        return true;
    }

    /// <summary>Wei per unit after dividing by <paramref name="pixelsPerUnit"/>; USD goes through the converter's ETH/USD price.</summary>
    public BigRational WeiPerUnit(PriceConverter converter, BigRational pixelsPerUnit) =>
        converter.TryToWeiPerUnit(Amount, pixelsPerUnit, Currency, out var wei, out var error)
            ? wei
            : throw new InvalidOperationException(error);

    [GeneratedRegex(@"^(?<amount>[0-9.eE+-]+?)\s*(?<currency>[A-Za-z][A-Za-z0-9]*)$")]
    private static partial Regex AmountAndCurrency();
}
