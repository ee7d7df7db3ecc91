using System.Globalization;
using System.Text.Json;
using LivepeerAspire.Protocol.Configuration;

namespace LivepeerAspire.Runner.Simulated.Fleet;

/// <summary>
/// Ollama's keep_alive: a Go duration string ("5m", "1h30m", "300ms", parsed by the shared <see cref="GoDuration"/>),
/// or a number of seconds; negative means forever, zero means unload right after the response.
/// </summary>
public static class KeepAlive
{
    public static readonly TimeSpan Forever = Timeout.InfiniteTimeSpan;

    public static bool TryParse(JsonElement value, out TimeSpan duration, out string error)
    {
        duration = default;
        error = "";
        return value.ValueKind switch
        {
            JsonValueKind.Number => FromSeconds(value.GetDouble(), out duration, out error),
            JsonValueKind.String => TryParse(value.GetString() ?? "", out duration, out error),
            _ => Fail("must be a duration string such as \"5m\" or a number of seconds", out error),
        };
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

        if (!GoDuration.TryParseGo(text, out var parsed))
        {
            return Fail($"'{text}' is not a duration (examples: \"5m\", \"1h30m\", \"300\")", out error);
        }

        return FromSeconds(parsed.TotalSeconds, out duration, out error);
    }

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }

    private static bool FromSeconds(double seconds, out TimeSpan duration, out string error)
    {
        error = "";
        duration = default;
        if (double.IsNaN(seconds) || double.IsInfinity(seconds) || seconds > 1e9)
        {
            return Fail("duration out of range", out error);
        }

        duration = seconds < 0 ? Forever : TimeSpan.FromSeconds(seconds);
        return true;
    }
}
