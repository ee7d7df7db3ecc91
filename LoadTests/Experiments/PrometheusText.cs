using System.Globalization;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>Just enough of the Prometheus text format to sum the samples of matching metric names.</summary>
public static class PrometheusText
{
    public static Dictionary<string, double> Sums(string text, Func<string, bool> nameMatches)
    {
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var nameEnd = line.IndexOfAny(['{', ' ']);
            if (nameEnd <= 0)
            {
                continue;
            }

            var name = line[..nameEnd];
            if (!nameMatches(name))
            {
                continue;
            }

            var afterLabels = line[nameEnd] == '{' ? line.IndexOf('}', nameEnd) + 1 : nameEnd;
            if (afterLabels <= 0)
            {
                continue;
            }

            var parts = line[afterLabels..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 0 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
            {
                sums[name] = sums.GetValueOrDefault(name) + v;
            }
        }

        return sums;
    }

    /// <summary>Gateway payment counters (names mentioning fee, paid or payment), or null when /metrics does not answer.</summary>
    public static async Task<Dictionary<string, double>?> PaymentCountersAsync(HttpClient http, Uri gateway, CancellationToken cancel)
    {
        try
        {
            var text = await http.GetStringAsync(new Uri(gateway, "metrics"), cancel);
            return Sums(text, n => n.Contains("fee", StringComparison.OrdinalIgnoreCase) || n.Contains("paid", StringComparison.OrdinalIgnoreCase) || n.Contains("payment", StringComparison.OrdinalIgnoreCase));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
