namespace LivepeerAspire.Protocol.Pricing;

/// <summary>Bound from the <c>Pricing</c> section. Stands in for go-livepeer's Chainlink feed (-priceFeedAddr).</summary>
public sealed class PricingOptions
{
    public const string SectionName = "Pricing";

    /// <summary>US dollars per ETH, used to turn <c>"currency": "USD"</c> prices into wei. Written as a decimal string or number.</summary>
    public string EthUsd { get; set; } = "3000";

    public IEnumerable<string> Validate()
    {
        if (!BigRational.TryParse(EthUsd, out var price) || price.Sign <= 0)
        {
            yield return $"Pricing:EthUsd '{EthUsd}' must be a positive number (US dollars per ETH), e.g. 3000";
        }
    }
}
