using LivepeerAspire.Protocol.Net;

namespace LivepeerAspire.Protocol.Pricing;

/// <summary>Between exact prices (wei per unit) and the protobuf <see cref="PriceInfo"/> that travels on the wire.</summary>
public static class PriceInfos
{
    /// <summary>The largest price a PriceInfo can carry: long.MaxValue wei per 1 unit.</summary>
    public static readonly BigRational MaxWeiPerUnit = new(long.MaxValue);

    /// <summary>
    /// The advertised PriceInfo for a price, as go-livepeer truncates it: the reduced fraction when numerator and
    /// denominator fit in int64, else floor(price)/1. Ticket params must be issued for the rational this returns
    /// (<see cref="Advertised"/>), so the gateway's expected_price matches the recipientRand HMAC.
    /// Throws for a negative price or one whose whole part does not fit in int64.
    /// </summary>
    public static PriceInfo ToPriceInfo(BigRational weiPerUnit, int capability = 0, string constraint = "")
    {
        RequireNotNegative(weiPerUnit);
        return weiPerUnit.Numerator <= long.MaxValue && weiPerUnit.Denominator <= long.MaxValue
            ? Create((long)weiPerUnit.Numerator, (long)weiPerUnit.Denominator, capability, constraint)
            : ToWholeWeiPriceInfo(weiPerUnit, capability, constraint);
    }

    /// <summary>floor(price) wei per 1 unit: go-livepeer's PriceToInt64, used for capabilities_prices. Throws like <see cref="ToPriceInfo"/>.</summary>
    public static PriceInfo ToWholeWeiPriceInfo(BigRational weiPerUnit, int capability = 0, string constraint = "")
    {
        RequireNotNegative(weiPerUnit);
        var floor = weiPerUnit.Floor();
        if (floor > long.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(weiPerUnit), $"price {weiPerUnit} wei per unit does not fit in a PriceInfo (int64)");
        }

        return Create((long)floor, 1, capability, constraint);
    }

    /// <summary>The price capped at <see cref="MaxWeiPerUnit"/>, for a sum of prices that may not fit a PriceInfo.</summary>
    public static BigRational CapAtMax(BigRational weiPerUnit) => weiPerUnit > MaxWeiPerUnit ? MaxWeiPerUnit : weiPerUnit;

    /// <summary>The rational a gateway sees for this price once it has travelled as a PriceInfo.</summary>
    public static BigRational Advertised(BigRational weiPerUnit) => ToRational(ToPriceInfo(weiPerUnit));

    /// <summary>Whether the price advertises without truncation (false for prices whose reduced fraction overflows int64).</summary>
    public static bool IsExact(BigRational weiPerUnit) => Advertised(weiPerUnit) == weiPerUnit;

    /// <summary>price_per_unit / pixels_per_unit; false for a missing, zero or negative pixels_per_unit or a negative price.</summary>
    public static bool TryToRational(PriceInfo? info, out BigRational price, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        price = BigRational.Zero;
        if (info is null)
        {
            error = "missing price";
            return false;
        }

        if (info.PixelsPerUnit <= 0)
        {
            error = $"invalid price: pixelsPerUnit must be positive, got {info.PixelsPerUnit}";
            return false;
        }

        if (info.PricePerUnit < 0)
        {
            error = $"invalid price: pricePerUnit must not be negative, got {info.PricePerUnit}";
            return false;
        }

        price = new BigRational(info.PricePerUnit, info.PixelsPerUnit);
        error = null;
        return true;
    }

    public static BigRational ToRational(PriceInfo info) =>
        TryToRational(info, out var price, out var error) ? price : throw new ArgumentException(error, nameof(info));

    private static void RequireNotNegative(BigRational weiPerUnit)
    {
        if (weiPerUnit.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(weiPerUnit), "a price cannot be negative");
        }
    }

    private static PriceInfo Create(long pricePerUnit, long pixelsPerUnit, int capability, string constraint) =>
        new() { PricePerUnit = pricePerUnit, PixelsPerUnit = pixelsPerUnit, Capability = (uint)capability, Constraint = constraint };
}
