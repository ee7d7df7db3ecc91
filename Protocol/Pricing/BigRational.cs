using System.Globalization;
using System.Numerics;

namespace LivepeerAspire.Protocol.Pricing;

/// <summary>
/// An exact, always-reduced rational with a positive denominator, like Go's big.Rat. Prices and fees are
/// rationals in go-livepeer, and the ticket HMAC covers the reduced numerator and denominator, so they must
/// be exact here too.
/// </summary>
public readonly struct BigRational : IEquatable<BigRational>, IComparable<BigRational>
{
    public BigInteger Numerator { get; }
    public BigInteger Denominator { get; }

    public static readonly BigRational Zero = new(BigInteger.Zero, BigInteger.One);
    public static readonly BigRational One = new(BigInteger.One, BigInteger.One);

    public BigRational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero)
        {
            throw new DivideByZeroException("a rational's denominator cannot be zero");
        }

        if (denominator.Sign < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }

        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!gcd.IsOne && !gcd.IsZero)
        {
            numerator /= gcd;
            denominator /= gcd;
        }

        Numerator = numerator;
        Denominator = numerator.IsZero ? BigInteger.One : denominator;
    }

    public BigRational(BigInteger whole) : this(whole, BigInteger.One)
    {
    }

    public int Sign => Numerator.Sign;

    public bool IsZero => Numerator.IsZero;

    /// <summary>Parses a JSON number's text exactly: <c>12</c>, <c>0.18</c>, <c>1.9073484e-08</c>, <c>-3</c>.</summary>
    public static bool TryParse(string? text, out BigRational value)
    {
        value = Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        var exponent = 0;
        var e = s.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            if (!int.TryParse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent)
                || Math.Abs(exponent) > 1000)
            {
                return false;
            }

            s = s[..e];
        }

        var negative = s.StartsWith('-');
        if (negative || s.StartsWith('+'))
        {
            s = s[1..];
        }

        var dot = s.IndexOf('.');
        var digits = dot >= 0 ? s.Remove(dot, 1) : s;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            return false;
        }

        exponent -= dot >= 0 ? s.Length - dot - 1 : 0;
        var mantissa = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
        if (negative)
        {
            mantissa = -mantissa;
        }

        value = exponent >= 0
            ? new BigRational(mantissa * BigInteger.Pow(10, exponent))
            : new BigRational(mantissa, BigInteger.Pow(10, -exponent));
        return true;
    }

    public static BigRational Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not a number");

    public static BigRational operator +(BigRational a, BigRational b) =>
        new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    public static BigRational operator -(BigRational a, BigRational b) =>
        new(a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    public static BigRational operator *(BigRational a, BigRational b) =>
        new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    public static BigRational operator /(BigRational a, BigRational b) =>
        new(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    public static bool operator <(BigRational a, BigRational b) => a.CompareTo(b) < 0;
    public static bool operator >(BigRational a, BigRational b) => a.CompareTo(b) > 0;
    public static bool operator <=(BigRational a, BigRational b) => a.CompareTo(b) <= 0;
    public static bool operator >=(BigRational a, BigRational b) => a.CompareTo(b) >= 0;
    public static bool operator ==(BigRational a, BigRational b) => a.Equals(b);
    public static bool operator !=(BigRational a, BigRational b) => !a.Equals(b);

    public static implicit operator BigRational(long value) => new(value);

    /// <summary>Largest integer not above the value (floor, as big.Int division of non-negative values).</summary>
    public BigInteger Floor() => BigInteger.Divide(Numerator - (Numerator.Sign < 0 ? Denominator - 1 : 0), Denominator);

    /// <summary>Smallest integer not below the value.</summary>
    public BigInteger Ceiling() => -new BigRational(-Numerator, Denominator).Floor();

    public double ToDouble() => (double)Numerator / (double)Denominator;

    public int CompareTo(BigRational other) => (Numerator * other.Denominator).CompareTo(other.Numerator * Denominator);

    public bool Equals(BigRational other) => Numerator == other.Numerator && Denominator == other.Denominator;

    public override bool Equals(object? obj) => obj is BigRational other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Numerator, Denominator);

    public override string ToString() =>
        Denominator.IsOne
            ? Numerator.ToString(CultureInfo.InvariantCulture)
            : $"{Numerator.ToString(CultureInfo.InvariantCulture)}/{Denominator.ToString(CultureInfo.InvariantCulture)}";
}
