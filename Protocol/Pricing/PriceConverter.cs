using System.Numerics;

namespace LivepeerAspire.Protocol.Pricing;

/// <summary>
/// Turns a configured price (aiModels.json <c>price_per_unit</c>/<c>pixels_per_unit</c>/<c>currency</c>, or a gateway max
/// price) into exact wei per unit, as go-livepeer's AutoConvertedPrice does with an ETH/USD feed:
/// wei = price × 10¹⁸ / (USD per ETH).
/// </summary>
public sealed class PriceConverter
{
    public static readonly BigInteger WeiPerEth = BigInteger.Pow(10, 18);

    public PriceConverter(BigRational ethUsd)
    {
        if (ethUsd.Sign <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ethUsd), "the ETH/USD price must be positive");
        }

        EthUsd = ethUsd;
    }

    public PriceConverter(PricingOptions options)
        : this(BigRational.TryParse(options.EthUsd, out var price) && price.Sign > 0
            ? price
            : throw new ArgumentException($"Pricing:EthUsd must be a positive number (US dollars per ETH), got '{options.EthUsd}'"))
    {
    }

    public BigRational EthUsd { get; }

    /// <summary>Wei per unit. Currency "" or "wei" (any case) is wei, "eth" is 10¹⁸ wei, "usd" goes through <see cref="EthUsd"/>.</summary>
    public bool TryToWeiPerUnit(BigRational pricePerUnit, BigRational pixelsPerUnit, string? currency, out BigRational weiPerUnit, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        weiPerUnit = BigRational.Zero;
        if (pixelsPerUnit.Sign <= 0)
        {
            error = "pixels_per_unit must be a positive number";
            return false;
        }

        if (pricePerUnit.Sign < 0)
        {
            error = "price_per_unit must not be negative";
            return false;
        }

        var perUnit = pricePerUnit / pixelsPerUnit;
        switch ((currency ?? "").Trim().ToLowerInvariant())
        {
            case "":
            case "wei":
                weiPerUnit = perUnit;
                break;
            case "eth":
                weiPerUnit = perUnit * new BigRational(WeiPerEth);
                break;
            case "usd":
                weiPerUnit = perUnit * new BigRational(WeiPerEth) / EthUsd;
                break;
            default:
                error = $"currency '{currency}' is not supported: use wei, eth or USD";
                return false;
        }

        error = null;
        return true;
    }
}
