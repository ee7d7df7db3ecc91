using System.Globalization;

namespace LivepeerAspire.LoadTests.Reports;

/// <summary>Invariant, compact number formatting shared by the writers.</summary>
internal static class Fmt
{
    public static string Num(double v)
    {
        if (double.IsNaN(v))
        {
            return "–";
        }

        var a = Math.Abs(v);
        var format = a >= 100 ? "0" : a >= 10 ? "0.0" : a >= 1 ? "0.00" : "0.###";
        return v.ToString(format, CultureInfo.InvariantCulture);
    }

    public static string Pct(double fraction) =>
        double.IsNaN(fraction) ? "–" : (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";

    public static string Int(long v) => v.ToString(CultureInfo.InvariantCulture);

    public static string Wei(double v)
    {
        if (double.IsNaN(v))
        {
            return "–";
        }

        return v >= 1e6 ? v.ToString("0.###e0", CultureInfo.InvariantCulture) : v.ToString("0", CultureInfo.InvariantCulture);
    }

    public static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
