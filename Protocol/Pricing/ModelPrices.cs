using System.Text.Json;
using LivepeerAspire.Protocol.AiModels;

namespace LivepeerAspire.Protocol.Pricing;

/// <summary>Reads and checks the price of one aiModels.json entry, giving exact wei per unit.</summary>
public static class ModelPrices
{
    /// <summary>
    /// <c>price_per_unit</c> must be a JSON number ≥ 0 (a quoted string is refused, as in go-livepeer),
    /// <c>pixels_per_unit</c> a positive integer (default 1), <c>currency</c> wei/eth/USD, and the result must fit the
    /// advertised PriceInfo (at most int64 wei per unit); the error names the field to fix.
    /// </summary>
    public static bool TryGetWeiPerUnit(AiModelConfig model, PriceConverter converter, out BigRational weiPerUnit, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        weiPerUnit = BigRational.Zero;
        var name = $"{model.Pipeline}/{model.ModelId}";
        if (model.PricePerUnit is not { } priceElement || priceElement.ValueKind == JsonValueKind.Null)
        {
            error = $"{name}: price_per_unit is missing";
            return false;
        }

        if (priceElement.ValueKind != JsonValueKind.Number || !BigRational.TryParse(priceElement.GetRawText(), out var price))
        {
            error = $"{name}: price_per_unit must be a JSON number, got {priceElement.GetRawText()}";
            return false;
        }

        var pixels = BigRational.One;
        if (model.PixelsPerUnit is { ValueKind: not JsonValueKind.Null } pixelsElement)
        {
            if (pixelsElement.ValueKind != JsonValueKind.Number || !pixelsElement.TryGetInt64(out var p) || p <= 0)
            {
                error = $"{name}: pixels_per_unit must be a positive integer, got {pixelsElement.GetRawText()}";
                return false;
            }

            pixels = p;
        }

        if (!converter.TryToWeiPerUnit(price, pixels, model.Currency, out weiPerUnit, out var conversionError))
        {
            error = $"{name}: {conversionError}";
            return false;
        }

        if (weiPerUnit.Floor() > long.MaxValue)
        {
            error = $"{name}: price {price} {model.Currency} per {pixels} units is {weiPerUnit.Floor()} wei per unit, more than a PriceInfo can carry ({long.MaxValue}); lower price_per_unit or raise pixels_per_unit";
            return false;
        }

        error = null;
        return true;
    }
}
