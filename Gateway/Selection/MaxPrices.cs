using System.Collections.Concurrent;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Gateway.Selection;

/// <summary>
/// go-livepeer's GetCapabilitiesMaxPrice: the per-(capability, model) entry, else the capability's "default" entry,
/// else the global -maxPricePerUnit / -pixelsPerUnit; null = accept any price. Prices are wei per unit, converted
/// once per settings and manifest (USD through <c>Pricing:EthUsd</c>, the stand-in for go-livepeer's price feed).
/// </summary>
public sealed class MaxPrices(PriceConverter converter)
{
    private volatile Resolved? resolved;

    public BigRational? For(SelectionOptions options, Pipeline pipeline, string modelId)
    {
        var current = resolved;
        if (current is null || !ReferenceEquals(current.Options, options))
        {
            current = new Resolved(options, options.CapabilityMaxPrices(), new ConcurrentDictionary<string, BigRational?>(StringComparer.Ordinal));
            resolved = current;
        }

        return current.PerManifest.GetOrAdd(
            pipeline.ManifestId(modelId),
            static (_, state) => state.Self.Compute(state.Current, state.Pipeline, state.ModelId),
            (Self: this, Current: current, Pipeline: pipeline, ModelId: modelId));
    }

    private BigRational? Compute(Resolved settings, Pipeline pipeline, string modelId)
    {
        var options = settings.Options;
        var global = ConfiguredPrice.TryParse(options.MaxPricePerUnit, out var globalPrice) && !globalPrice.Amount.IsZero
            ? globalPrice.WeiPerUnit(converter, new BigRational(options.PixelsPerUnit))
            : (BigRational?)null;
        var entry = settings.Entries.FirstOrDefault(e => e.Pipeline == pipeline.Name && e.ModelId == modelId)
            ?? settings.Entries.FirstOrDefault(e => e.Pipeline == pipeline.Name && e.ModelId is "default" or "");
        if (entry is null || !entry.TryGetPrice(out var price) || price.Amount.IsZero)
        {
            return global;
        }

        var pixels = entry.PixelsPerUnit > 0 ? entry.PixelsPerUnit : options.PixelsPerUnit;
        return price.WeiPerUnit(converter, new BigRational(pixels));
    }

    private sealed record Resolved(SelectionOptions Options, IReadOnlyList<CapabilityMaxPrice> Entries, ConcurrentDictionary<string, BigRational?> PerManifest);
}
