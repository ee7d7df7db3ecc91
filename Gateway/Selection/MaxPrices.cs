using System.Numerics;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Gateway.Selection;

/// <summary>
/// go-livepeer's GetCapabilitiesMaxPrice: the per-(capability, model) entry, else the capability's "default" entry,
/// else the global -maxPricePerUnit / -pixelsPerUnit; null = accept any price. Prices are wei per unit.
/// </summary>
public static class MaxPrices
{
    private static readonly BigRational WeiPerEth = new(BigInteger.Pow(10, 18));

    public static BigRational? For(SelectionOptions options, Pipeline pipeline, string modelId)
    {
        TryParseWei(options.MaxPricePerUnit, out var global);
        var globalPerUnit = global.IsZero ? (BigRational?)null : global / new BigRational(options.PixelsPerUnit);
        var entry = options.MaxPricePerCapability.FirstOrDefault(e => e.Pipeline == pipeline.Name && e.ModelId == modelId)
            ?? options.MaxPricePerCapability.FirstOrDefault(e => e.Pipeline == pipeline.Name && e.ModelId is "default" or "");
        if (entry is null || !TryParseWei(entry.PricePerUnit, out var price) || price.IsZero)
        {
            return globalPerUnit;
        }

        var pixels = entry.PixelsPerUnit > 0 ? entry.PixelsPerUnit : options.PixelsPerUnit;
        return price / new BigRational(pixels);
    }

    /// <summary>A non-negative amount in wei: <c>1000</c>, <c>0.5</c>, <c>1e-9eth</c>, <c>12wei</c>. Other currencies need a price feed and are refused.</summary>
    public static bool TryParseWei(string? text, out BigRational wei)
    {
        wei = BigRational.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        var multiplier = BigRational.One;
        if (s.EndsWith("eth", StringComparison.OrdinalIgnoreCase))
        {
            multiplier = WeiPerEth;
            s = s[..^3];
        }
        else if (s.EndsWith("wei", StringComparison.OrdinalIgnoreCase))
        {
            s = s[..^3];
        }

        if (!BigRational.TryParse(s, out var value) || value.Sign < 0)
        {
            return false;
        }

        wei = value * multiplier;
        return true;
    }
}
