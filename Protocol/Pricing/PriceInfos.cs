using LivepeerAspire.Protocol.Net;

namespace LivepeerAspire.Protocol.Pricing;

/// <summary>Between exact prices (wei per unit) and the protobuf <see cref="PriceInfo"/> that travels on the wire.</summary>
public static class PriceInfos
{
    /// <summary>
    /// The advertised PriceInfo for a price, as go-livepeer truncates it: the reduced fraction when numerator and
    /// denominator fit in int64, else floor(price)/1. Ticket params must be issued for the rational this returns
    /// (<see cref="ToRational"/>), so the gateway's expected_price matches the recipientRand HMAC.
    /// </summary>
    public static PriceInfo ToPriceInfo(BigRational weiPerUnit, int capability = 0, string constraint = "")
    {
        if (weiPerUnit.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(weiPerUnit), "a price cannot be negative");
        }

        long numerator, denominator;
        if (weiPerUnit.Numerator <= long.MaxValue && weiPerUnit.Denominator <= long.MaxValue)
        {
            numerator = (long)weiPerUnit.Numerator;
            denominator = (long)weiPerUnit.Denominator;
        }
        else
        {
            var floor = weiPerUnit.Floor();
            if (floor > long.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(weiPerUnit), $"price {weiPerUnit} wei per unit does not fit in a PriceInfo (int64)");
            }

            numerator = (long)floor;
            denominator = 1;
        }

        return new PriceInfo { PricePerUnit = numerator, PixelsPerUnit = denominator, Capability = (uint)capability, Constraint = constraint };
    }

    /// <summary>Whether the price advertises without truncation (false for prices whose reduced fraction overflows int64).</summary>
    public static bool IsExact(BigRational weiPerUnit) => ToRational(ToPriceInfo(weiPerUnit)) == weiPerUnit;

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
}
