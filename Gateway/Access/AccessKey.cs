using System.Numerics;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Gateway.Access;

/// <summary>A stored API key: never the key itself, only its hash.</summary>
public sealed record AccessKey
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string KeyHash { get; init; }

    /// <summary>The budget as the operator wrote it (<c>1000000</c>, <c>0.5USD</c>, <c>0.001eth</c>), or null for none.</summary>
    public string? Budget { get; init; }

    public int? RequestsPerMinute { get; init; }

    public int? TokensPerMinute { get; init; }

    public required DateTimeOffset Created { get; init; }

    public DateTimeOffset? Revoked { get; init; }

    public bool IsRevoked => Revoked is not null;
}

/// <summary>Budgets in go-livepeer's price syntax; USD converts through <c>Pricing:EthUsd</c> when the budget is checked.</summary>
public static class KeyBudget
{
    public const string AcceptedForms = "a positive amount of wei, optionally with a currency: 1000000000000, 0.5USD, 0.001eth or 12wei";

    public static bool TryParse(string? text, out ConfiguredPrice budget, out string? error)
    {
        error = null;
        if (!ConfiguredPrice.TryParse(text, out budget))
        {
            error = $"budget '{text}' is not {AcceptedForms}";
            return false;
        }

        if (budget.Amount.Sign <= 0)
        {
            error = "budget must be positive; leave it out for a key without a budget";
            return false;
        }

        return true;
    }

    public static BigInteger? Wei(string? budget, PriceConverter converter) =>
        budget is null ? null : ConfiguredPrice.TryParse(budget, out var price) ? price.WeiPerUnit(converter, BigRational.One).Floor() : null;
}
