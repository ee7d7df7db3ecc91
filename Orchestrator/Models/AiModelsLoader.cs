using System.Numerics;
using System.Text.Json;
using System.Text.RegularExpressions;
using LivepeerAspire.Protocol.AiModels;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pricing;
using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Orchestrator.Models;

/// <summary>
/// Reads and validates an aiModels.json (go-livepeer's -aiModels file). Every problem go-livepeer would
/// panic on, or silently misprice, is refused with a message naming the file, the entry and the field.
/// </summary>
public static partial class AiModelsLoader
{
    public const string DefaultGateway = "default";

    /// <summary>Above 1 ETH per unit (pixel, token, ms) a price is almost certainly a unit mistake.</summary>
    public static readonly BigRational MaxWeiPerUnit = new(BigInteger.Pow(10, 18));

    private static readonly BigRational WeiPerEth = new(BigInteger.Pow(10, 18));

    public static IReadOnlyList<ModelEntry> LoadFile(string? path, BigRational? ethUsdPrice)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new AiModelsException("Orchestrator:AiModelsFile is not set; point it at an aiModels.json (go-livepeer -aiModels)");
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AiModelsException($"aiModels file '{path}': cannot be read: {e.Message}");
        }

        return Parse(text, path, ethUsdPrice);
    }

    public static IReadOnlyList<ModelEntry> Parse(string json, string fileName, BigRational? ethUsdPrice)
    {
        List<AiModelConfig?>? configs;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new AiModelsException($"aiModels file '{fileName}': must be a JSON array of model entries");
            }

            configs = doc.RootElement.Deserialize<List<AiModelConfig?>>(WireJson.Options);
        }
        catch (JsonException e)
        {
            throw new AiModelsException($"aiModels file '{fileName}': invalid JSON at {e.Path ?? "$"} (line {e.LineNumber + 1}): {e.Message}");
        }

        if (configs is null || configs.Count == 0)
        {
            throw new AiModelsException($"aiModels file '{fileName}': has no entries");
        }

        var entries = new List<ModelEntry>();
        for (var i = 0; i < configs.Count; i++)
        {
            entries.Add(Validate(configs[i], i, fileName, ethUsdPrice));
        }

        CheckAcrossEntries(entries, fileName);
        return entries;
    }

    private static ModelEntry Validate(AiModelConfig? c, int index, string file, BigRational? ethUsdPrice)
    {
        string Where() => $"aiModels file '{file}': entry {index}" + (c?.ModelId is { Length: > 0 } m ? $" ({c.Pipeline} {m})" : "");
        AiModelsException Fail(string reason) => new($"{Where()}: {reason}");

        if (c is null)
        {
            throw Fail("is null; each entry must be an object");
        }

        if (string.IsNullOrWhiteSpace(c.Pipeline))
        {
            throw Fail("pipeline is missing");
        }

        if (!PipelineCatalog.TryGet(c.Pipeline, out var pipeline))
        {
            throw Fail($"unknown pipeline '{c.Pipeline}'; known: {string.Join(", ", PipelineCatalog.All.Select(p => p.Name))}");
        }

        if (string.IsNullOrWhiteSpace(c.ModelId))
        {
            throw Fail("model_id is missing");
        }

        if (string.IsNullOrWhiteSpace(c.Url))
        {
            throw Fail("url is missing; this orchestrator does not manage runner containers, so every entry needs an external runner url");
        }

        if (!Uri.TryCreate(c.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw Fail($"url '{c.Url}' is not an absolute http(s) URL");
        }

        if (c.Capacity < 0)
        {
            throw Fail($"capacity must be 0 (means 1) or more, got {c.Capacity}");
        }

        if (c.OptimizationFlags is { } flags)
        {
            foreach (var (key, value) in flags)
            {
                if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.True or JsonValueKind.False))
                {
                    throw Fail($"optimization_flags.{key} must be a string or a boolean (go-livepeer passes them as environment variables), got {value.ValueKind.ToString().ToLowerInvariant()} {value.GetRawText()}");
                }
            }
        }

        var gateway = string.IsNullOrWhiteSpace(c.Gateway) ? DefaultGateway : c.Gateway.Trim().ToLowerInvariant();
        if (gateway != DefaultGateway && !EthAddress().IsMatch(gateway))
        {
            throw Fail($"gateway must be \"default\" or a 0x-prefixed 20-byte address, got '{c.Gateway}'");
        }

        var (weiPerUnit, priced) = Price(c, ethUsdPrice, Fail);
        var baseUrl = new Uri(url.AbsoluteUri.EndsWith('/') ? url.AbsoluteUri : url.AbsoluteUri + "/");
        return new ModelEntry(index, pipeline, c.ModelId.Trim(), baseUrl, string.IsNullOrEmpty(c.Token) ? null : c.Token,
            c.Warm, c.EffectiveCapacity, weiPerUnit, priced, gateway, c);
    }

    private static (BigRational WeiPerUnit, bool Priced) Price(AiModelConfig c, BigRational? ethUsdPrice, Func<string, AiModelsException> fail)
    {
        var pixels = BigRational.One;
        if (c.PixelsPerUnit is { ValueKind: not JsonValueKind.Null } pixelsElement)
        {
            if (pixelsElement.ValueKind != JsonValueKind.Number || !BigRational.TryParse(pixelsElement.GetRawText(), out pixels))
            {
                throw fail($"pixels_per_unit must be a JSON number, got {pixelsElement.GetRawText()}");
            }

            if (pixels.Sign <= 0 || !pixels.Denominator.IsOne)
            {
                throw fail($"pixels_per_unit must be a positive integer, got {pixelsElement.GetRawText()}");
            }
        }

        if (c.PricePerUnit is not { } priceElement || priceElement.ValueKind == JsonValueKind.Null)
        {
            return (BigRational.Zero, false);
        }

        if (priceElement.ValueKind != JsonValueKind.Number)
        {
            throw fail($"price_per_unit must be a JSON number (a quoted string fails in go-livepeer too), got {priceElement.GetRawText()}");
        }

        if (!BigRational.TryParse(priceElement.GetRawText(), out var price))
        {
            throw fail($"price_per_unit {priceElement.GetRawText()} cannot be read as an exact number");
        }

        if (price.Sign < 0)
        {
            throw fail($"price_per_unit must be 0 or more, got {priceElement.GetRawText()}");
        }

        var currency = (c.Currency ?? "").Trim().ToLowerInvariant();
        var factor = currency switch
        {
            "" or "wei" => BigRational.One,
            "eth" => WeiPerEth,
            "usd" => ethUsdPrice is { Sign: > 0 } usd
                ? WeiPerEth / usd
                : throw fail("currency USD needs an ETH/USD price (Pricing:EthUsd, US dollars per ETH), e.g. 3000"),
            _ => throw fail($"currency '{c.Currency}' is not supported; use wei, eth or USD"),
        };

        var weiPerUnit = price * factor / pixels;
        if (weiPerUnit > MaxWeiPerUnit)
        {
            throw fail($"price_per_unit {priceElement.GetRawText()} {(currency.Length == 0 ? "wei" : c.Currency)} per {pixels} units is more than 1 ETH per unit; check the currency and pixels_per_unit");
        }

        return (weiPerUnit, true);
    }

    private static void CheckAcrossEntries(List<ModelEntry> entries, string file)
    {
        foreach (var group in entries.GroupBy(e => (e.Pipeline.Name, e.ModelId)))
        {
            var list = group.ToList();
            if (list.Any(e => e.Warm) && list.Any(e => !e.Warm))
            {
                var cold = list.First(e => !e.Warm);
                throw new AiModelsException(
                    $"aiModels file '{file}': entry {cold.Index} ({cold.Pipeline} {cold.ModelId}): the model is warm in entry {list.First(e => e.Warm).Index} and cold here; a model cannot be both");
            }

            foreach (var byGateway in list.Where(e => e.Priced).GroupBy(e => e.Gateway))
            {
                var first = byGateway.First();
                var other = byGateway.FirstOrDefault(e => e.WeiPerUnit != first.WeiPerUnit);
                if (other is not null)
                {
                    throw new AiModelsException(
                        $"aiModels file '{file}': entry {other.Index} ({other.Pipeline} {other.ModelId}): price differs from entry {first.Index} for the same model and gateway '{first.Gateway}'");
                }
            }
        }
    }

    [GeneratedRegex("^0x[0-9a-f]{40}$")]
    private static partial Regex EthAddress();
}
