using System.Globalization;

namespace LivepeerAspire.Protocol.Configuration;

/// <summary>
/// Go's time.ParseDuration syntax ("500ms", "5s", "1h30m", "-1.5h"), which go-livepeer's duration flags take,
/// beside .NET's "hh:mm:ss". The one parser for configuration values, Ollama's keep_alive and load-test options.
/// </summary>
public static class GoDuration
{
    public const string AcceptedForms = "a Go duration such as 500ms, 5s, 1m30s or 2h, or hh:mm:ss";

    /// <summary>Parses a Go duration or an hh:mm:ss TimeSpan. A plain number is refused, as Go refuses it (except 0).</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (text.Contains(':'))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration);
        }

        return TryParseGo(text, out duration);
    }

    /// <summary>The Go syntax only: an optional sign, then one or more number-unit pairs (ns, us, µs, ms, s, m, h); "0" alone is zero.</summary>
    public static bool TryParseGo(string text, out TimeSpan duration)
    {
        duration = default;
        var negative = text.StartsWith('-');
        var rest = text.TrimStart('-', '+');
        if (rest == "0")
        {
            return true;
        }

        if (rest.Length == 0 || text.Length - rest.Length > 1)
        {
            return false;
        }

        double seconds = 0;
        var i = 0;
        while (i < rest.Length)
        {
            var start = i;
            while (i < rest.Length && (char.IsAsciiDigit(rest[i]) || rest[i] == '.'))
            {
                i++;
            }

            var unitStart = i;
            while (i < rest.Length && !char.IsAsciiDigit(rest[i]) && rest[i] != '.')
            {
                i++;
            }

            if (start == unitStart
                || !double.TryParse(rest[start..unitStart], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
                || UnitSeconds(rest[unitStart..i]) is not { } unit)
            {
                return false;
            }

            seconds += number * unit;
        }

        // Go's own limit is about 292 years; TimeSpan's is larger, so this only guards against overflow.
        if (!double.IsFinite(seconds) || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)Math.Round((negative ? -seconds : seconds) * TimeSpan.TicksPerSecond));
        return true;
    }

    /// <summary>Go's String() form for logs and messages: 1h30m0s, 5s, 500ms.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        var sign = duration < TimeSpan.Zero ? "-" : "";
        var d = duration.Duration();
        if (d < TimeSpan.FromSeconds(1))
        {
            return sign + d.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
        }

        var hours = (long)d.TotalHours;
        var text = hours > 0 ? $"{hours}h{d.Minutes}m" : d.Minutes > 0 ? $"{d.Minutes}m" : "";
        var secs = d.Seconds + d.Milliseconds / 1000.0 + (d.Ticks % TimeSpan.TicksPerMillisecond) / (double)TimeSpan.TicksPerSecond;
        return sign + text + secs.ToString("0.#########", CultureInfo.InvariantCulture) + "s";
    }

    private static double? UnitSeconds(string unit) => unit switch
    {
        "ns" => 1e-9,
        "us" or "µs" or "μs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => null,
    };
}
