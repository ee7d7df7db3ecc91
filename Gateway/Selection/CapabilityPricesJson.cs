using System.Globalization;
using System.Text.Json;

namespace LivepeerAspire.Gateway.Selection;

/// <summary>
/// Reads go-livepeer's -maxPricePerCapability value: inline JSON, or the path of a file holding it, of the form
/// <c>{"capabilities_prices":[{"pipeline","model_id","price_per_unit","pixels_per_unit","currency"}]}</c>.
/// A missing model_id means "default"; price_per_unit may be a JSON number (as go-livepeer writes it) or a string.
/// </summary>
internal static class CapabilityPricesJson
{
    public static IReadOnlyList<CapabilityMaxPrice> Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }

        var text = value.TrimStart().StartsWith('{') ? value : ReadFile(value.Trim());
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("capabilities_prices", out var list)
                || list.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("must be an object with a \"capabilities_prices\" array, as go-livepeer's -maxPricePerCapability");
            }

            return [.. list.EnumerateArray().Select(Entry)];
        }
        catch (JsonException e)
        {
            throw new FormatException($"is not valid JSON: {e.Message}");
        }
    }

    private static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new FormatException($"'{path}' is neither inline JSON nor a readable file ({e.Message})");
        }
    }

    private static CapabilityMaxPrice Entry(JsonElement e, int index)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"capabilities_prices[{index}] must be an object");
        }

        return new CapabilityMaxPrice
        {
            Pipeline = Text(e, "pipeline") ?? "",
            ModelId = Text(e, "model_id") is { Length: > 0 } model ? model : "default",
            PricePerUnit = Text(e, "price_per_unit") ?? "0",
            PixelsPerUnit = Text(e, "pixels_per_unit") is { } pixels
                ? long.TryParse(pixels, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : throw new FormatException($"capabilities_prices[{index}].pixels_per_unit '{pixels}' must be a whole number")
                : 0,
            Currency = Text(e, "currency") ?? "",
        };
    }

    private static string? Text(JsonElement e, string name) =>
        !e.TryGetProperty(name, out var v) ? null
        : v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.Null => null,
            _ => throw new FormatException($"capabilities_prices: '{name}' must be a string or a number"),
        };
}
