using LivepeerAspire.Protocol.Net;

namespace LivepeerAspire.Protocol.Pricing;

/// <summary>go-livepeer's estimateAIFee and DebitFees: fee = units × pricePerUnit / pixelsPerUnit, exactly.</summary>
public static class Fees
{
    public static BigRational Fee(long units, BigRational weiPerUnit)
    {
        if (units < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(units), "units cannot be negative");
        }

        return new BigRational(units) * weiPerUnit;
    }

    public static BigRational Fee(long units, PriceInfo price) => Fee(units, PriceInfos.ToRational(price));

    /// <summary>The whole-wei figure for the Livepeer-Fee response header (rounded up: a fee is never understated).</summary>
    public static string ToWeiString(BigRational fee) => fee.Ceiling().ToString(System.Globalization.CultureInfo.InvariantCulture);
}
