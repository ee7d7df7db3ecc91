using System.Numerics;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Orchestrator.Pricing;

/// <summary>Exact wei-per-unit rationals → protobuf PriceInfo, truncated the way go-livepeer advertises them.</summary>
public static class AdvertisedPrice
{
    private static readonly BigInteger MaxLong = long.MaxValue;

    /// <summary>num/den when both fit in int64, else floor(price)/1 (go-livepeer's truncation).</summary>
    public static PriceInfo Exact(BigRational weiPerUnit)
    {
        if (weiPerUnit.Numerator <= MaxLong && weiPerUnit.Denominator <= MaxLong && weiPerUnit.Sign >= 0)
        {
            return new PriceInfo { PricePerUnit = (long)weiPerUnit.Numerator, PixelsPerUnit = (long)weiPerUnit.Denominator };
        }

        return WholeWei(weiPerUnit);
    }

    /// <summary>floor(price) wei per 1 unit (go-livepeer's PriceToInt64 for capabilities_prices).</summary>
    public static PriceInfo WholeWei(BigRational weiPerUnit)
    {
        var floor = BigInteger.Max(BigInteger.Zero, BigInteger.Min(weiPerUnit.Floor(), MaxLong));
        return new PriceInfo { PricePerUnit = (long)floor, PixelsPerUnit = 1 };
    }

    public static BigRational ToRational(PriceInfo price) =>
        price.PixelsPerUnit <= 0 ? BigRational.Zero : new BigRational(price.PricePerUnit, price.PixelsPerUnit);
}
