using System.Globalization;
using System.Text.Json;

namespace LivepeerAspire.Runner.Simulated.Fleet;

/// <summary>
/// Ollama's keep_alive: a Go duration string ("5m", "1h30m", "300ms"), or a number of seconds; negative means
/// forever, zero means unload right after the response.
/// </summary>
public static class GoDuration
{
    public static readonly TimeSpan Forever = Timeout.InfiniteTimeSpan;

    public static bool TryParse(JsonElement value, out TimeSpan duration, out string error)
    {
        duration = default;
        error = "";
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                return FromSeconds(value.GetDouble(), out duration, out error);
            case JsonValueKind.String:
                return TryParse(value.GetString() ?? "", out duration, out error);
            default:
                error = "must be a duration string such as \"5m\" or a number of seconds";
                return false;
        }
    }

    public static bool TryParse(string text, out TimeSpan duration, out string error)
    {
        duration = default;
        error = "";
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return FromSeconds(seconds, out duration, out error);
        }

        var negative = text.StartsWith('-');
        var rest = text.TrimStart('-', '+');
        double totalSeconds = 0;
        var i = 0;
        if (rest.Length == 0)
        {
            error = $"'{text}' is not a duration (examples: \"5m\", \"1h30m\", \"300\")";
            return false;
        }

        while (i < rest.Length)
        {
            var start = i;
            while (i < rest.Length && (char.IsDigit(rest[i]) || rest[i] == '.'))
            {
                i++;
            }

            var unitStart = i;
            while (i < rest.Length && !char.IsDigit(rest[i]) && rest[i] != '.')
            {
                i++;
            }

            if (start == unitStart
                || !double.TryParse(rest[start..unitStart], NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                || UnitSeconds(rest[unitStart..i]) is not { } unit)
            {
                error = $"'{text}' is not a duration (examples: \"5m\", \"1h30m\", \"300\")";
                return false;
            }

            totalSeconds += number * unit;
        }

        return FromSeconds(negative ? -totalSeconds : totalSeconds, out duration, out error);
    }

    private static double? UnitSeconds(string unit) => unit switch
    {
        "ns" => 1e-9,
        "us" or "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => null,
    };

    private static bool FromSeconds(double seconds, out TimeSpan duration, out string error)
    {
        error = "";
        if (double.IsNaN(seconds) || double.IsInfinity(seconds) || seconds > 1e9)
        {
            duration = default;
            error = "duration out of range";
            return false;
        }

        duration = seconds < 0 ? Forever : TimeSpan.FromSeconds(seconds);
        return true;
    }
}
