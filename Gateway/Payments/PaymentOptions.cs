namespace LivepeerAspire.Gateway.Payments;

/// <summary>Configuration section <c>Payments</c>. Only <c>off-chain</c> exists so far (go-livepeer -network offchain).</summary>
public sealed class PaymentOptions
{
    public const string Section = "Payments";

    public string Mode { get; set; } = "off-chain";

    public IEnumerable<string> Validate()
    {
        if (Mode != "off-chain")
        {
            yield return $"Payments:Mode '{Mode}' is not available yet; use off-chain";
        }
    }
}
