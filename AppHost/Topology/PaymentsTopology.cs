using System.Globalization;
using System.Numerics;
using System.Text.Json;
using LivepeerAspire.AppHost.Resources;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Payments;

namespace LivepeerAspire.AppHost.Topology;

/// <summary>
/// The topology's <c>"payments"</c> member: <c>true</c> for the defaults, or an object overriding them. Amounts are wei
/// (JSON numbers or integer strings); <c>blockTime</c> is a TimeSpan string or seconds.
/// </summary>
public sealed record PaymentsSpec
{
    public static readonly string[] Keys =
    [
        "enabled", "blockTime", "roundLength", "deposit", "reserve", "ticketEV", "gasPrice", "maxFaceValue", "paramsExpirationBlocks",
        "maxTicketEV", "maxTotalEV", "depositMultiplier", "discovery", "ledger",
    ];

    public bool Enabled { get; init; } = true;

    /// <summary>Ledger block time: short, so that params (40 blocks) expire and winners are redeemed within a run.</summary>
    public TimeSpan BlockTime { get; init; } = TimeSpan.FromMilliseconds(250);

    public long RoundLength { get; init; } = 5760;

    /// <summary>Gateway deposit, wei (1 ETH).</summary>
    public BigInteger Deposit { get; init; } = BigInteger.Pow(10, 18);

    /// <summary>Gateway reserve, wei (1 ETH).</summary>
    public BigInteger Reserve { get; init; } = BigInteger.Pow(10, 18);

    /// <summary>Orchestrators' <c>-ticketEV</c>.</summary>
    public string TicketEV { get; init; } = "8000000000";

    /// <summary>0: face value = 100 × ticket EV, so one ticket in a hundred wins (go's default gas price gives one in 1.5 million).</summary>
    public string GasPrice { get; init; } = "0";

    public string MaxFaceValue { get; init; } = "0";

    public int ParamsExpirationBlocks { get; init; } = 40;

    /// <summary>Gateway limits (<c>-maxTicketEV</c>, <c>-maxTotalEV</c>, <c>-depositMultiplier</c>); null = the gateway's default.</summary>
    public string? MaxTicketEV { get; init; }

    public string? MaxTotalEV { get; init; }

    public int? DepositMultiplier { get; init; }

    /// <summary>Gateway Discovery:Source: <c>orchAddr</c> (the references, default) or <c>ledger</c> (the registry, with stakes).</summary>
    public string Discovery { get; init; } = "orchAddr";

    /// <summary>
    /// <c>sqlite</c> (default): the embedded ledger file. <c>chain</c>: the project's TicketBroker, registry and rounds
    /// manager on a ganache dev chain the AppHost starts (chain/, after <c>npm ci</c> there).
    /// </summary>
    public string Ledger { get; init; } = "sqlite";

    public bool OnChain => Ledger == "chain";

    public static PaymentsSpec? Read(JsonElement element, string file)
    {
        const string path = "$.payments";
        if (element.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return element.GetBoolean() ? new PaymentsSpec() : null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new TopologyException(file, path, "must be true, false or an object (see docs/payments.md, \"In the network\")");
        }

        var spec = new PaymentsSpec();
        foreach (var member in element.EnumerateObject())
        {
            var at = $"{path}.{member.Name}";
            var value = member.Value;
            spec = member.Name switch
            {
                "enabled" => spec with { Enabled = value.ValueKind == JsonValueKind.True || (value.ValueKind == JsonValueKind.False ? false : throw new TopologyException(file, at, "must be true or false")) },
                "blockTime" => spec with { BlockTime = Duration(value, file, at) },
                "roundLength" => spec with { RoundLength = (long)Wei(value, file, at, positive: true) },
                "deposit" => spec with { Deposit = Wei(value, file, at) },
                "reserve" => spec with { Reserve = Wei(value, file, at) },
                "ticketEV" => spec with { TicketEV = Wei(value, file, at, positive: true).ToString(CultureInfo.InvariantCulture) },
                "gasPrice" => spec with { GasPrice = Wei(value, file, at).ToString(CultureInfo.InvariantCulture) },
                "maxFaceValue" => spec with { MaxFaceValue = Wei(value, file, at).ToString(CultureInfo.InvariantCulture) },
                "paramsExpirationBlocks" => spec with { ParamsExpirationBlocks = (int)Wei(value, file, at, positive: true) },
                "maxTicketEV" => spec with { MaxTicketEV = Wei(value, file, at).ToString(CultureInfo.InvariantCulture) },
                "maxTotalEV" => spec with { MaxTotalEV = Wei(value, file, at).ToString(CultureInfo.InvariantCulture) },
                "depositMultiplier" => spec with { DepositMultiplier = (int)Wei(value, file, at, positive: true) },
                "discovery" => spec with
                {
                    Discovery = value.GetString() is "orchAddr" or "ledger" or "orchAddr,ledger"
                        ? value.GetString()!
                        : throw new TopologyException(file, at, "must be \"orchAddr\", \"ledger\" or \"orchAddr,ledger\""),
                },
                "ledger" => spec with
                {
                    Ledger = value.ValueKind == JsonValueKind.String && value.GetString() is "sqlite" or "chain"
                        ? value.GetString()!
                        : throw new TopologyException(file, at, "must be \"sqlite\" (the embedded ledger) or \"chain\" (contracts on a local dev chain)"),
                },
                _ => throw new TopologyException(file, at, $"unknown member; allowed: {string.Join(", ", Keys)}"),
            };
        }

        if (spec.ParamsExpirationBlocks < 2)
        {
            throw new TopologyException(file, $"{path}.paramsExpirationBlocks", "must be at least 2");
        }

        return spec.Enabled ? spec : null;
    }

    private static BigInteger Wei(JsonElement value, string file, string at, bool positive = false)
    {
        var text = value.ValueKind switch
        {
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.String => value.GetString()!,
            _ => throw new TopologyException(file, at, "must be a non-negative integer (a JSON number or a string of digits)"),
        };
        if (!BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var wei) || (positive && wei.IsZero))
        {
            throw new TopologyException(file, at, $"'{text}' is not a {(positive ? "positive" : "non-negative")} integer");
        }

        return wei;
    }

    private static TimeSpan Duration(JsonElement value, string file, string at)
    {
        var ok = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDouble(out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero,
            JsonValueKind.String => TimeSpan.TryParse(value.GetString(), CultureInfo.InvariantCulture, out var span) ? span : TimeSpan.Zero,
            _ => TimeSpan.Zero,
        };
        return ok > TimeSpan.Zero ? ok : throw new TopologyException(file, at, "must be a positive duration (\"00:00:00.250\" or seconds)");
    }
}

/// <summary>
/// What the AppHost does for a paid network before any service starts (as a deployment script would on a chain):
/// creates the ledger file with the topology's chain parameters, generates each node's key in its data directory,
/// registers every orchestrator with its stake and service URI, and funds the gateway's deposit and reserve.
/// </summary>
public static class PaymentsComposer
{
    public static void Prepare(PaymentsSpec spec, string ledgerFile, string gatewayDataDir,
        IReadOnlyList<(string DataDir, string ServiceUri, string? Stake)> orchestrators)
    {
        using var ledger = new DisposableLedger(SqliteLedger.Open($"Data Source={ledgerFile}",
            new LedgerOptions { BlockTime = spec.BlockTime, RoundLength = spec.RoundLength }));
        foreach (var (dataDir, serviceUri, stake) in orchestrators)
        {
            var account = EthAccount.LoadOrCreate(dataDir);
            ledger.Ledger.RegisterOrchestratorAsync(account.Address, serviceUri, StakeWei(stake)).GetAwaiter().GetResult();
        }

        var gateway = EthAccount.LoadOrCreate(gatewayDataDir);
        if (spec.Deposit > 0 || spec.Reserve > 0)
        {
            ledger.Ledger.FundDepositAndReserveAsync(gateway.Address, spec.Deposit, spec.Reserve).GetAwaiter().GetResult();
        }
    }

    /// <summary>Environment of every orchestrator of a paid network.</summary>
    public static void ConfigureOrchestrator(IResourceBuilder<ServiceResource> orchestrator, PaymentsSpec spec) =>
        orchestrator
            .WithEnvironment("TicketIssuer__TicketEV", spec.TicketEV)
            .WithEnvironment("TicketIssuer__GasPrice", spec.GasPrice)
            .WithEnvironment("TicketIssuer__MaxFaceValue", spec.MaxFaceValue)
            .WithEnvironment("TicketIssuer__ParamsExpirationBlocks", spec.ParamsExpirationBlocks.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Orchestrator__RedemptionInterval", Min(spec.BlockTime, TimeSpan.FromSeconds(1)).ToString("c", CultureInfo.InvariantCulture));

    /// <summary>Environment of the gateway of a paid network.</summary>
    public static void ConfigureGateway(IResourceBuilder<ServiceResource> gateway, PaymentsSpec spec, string gatewayDataDir)
    {
        gateway.WithEnvironment("Payments__DataDir", gatewayDataDir)
            .WithEnvironment("Payments__LedgerCacheTime", Min(spec.BlockTime, TimeSpan.FromSeconds(1)).ToString("c", CultureInfo.InvariantCulture))
            .WithEnvironment("Discovery__Source", spec.Discovery);
        if (spec.MaxTicketEV is not null)
        {
            gateway.WithEnvironment("Payments__MaxTicketEV", spec.MaxTicketEV);
        }

        if (spec.MaxTotalEV is not null)
        {
            gateway.WithEnvironment("Payments__MaxTotalEV", spec.MaxTotalEV);
        }

        if (spec.DepositMultiplier is { } multiplier)
        {
            gateway.WithEnvironment("Payments__DepositMultiplier", multiplier.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Topology stake in LPT (a decimal number) → LPT-wei; no stake → 1 LPT, so the orchestrator is active.</summary>
    public static BigInteger StakeWei(string? lpt)
    {
        var wei = BigInteger.Pow(10, 18);
        if (string.IsNullOrWhiteSpace(lpt))
        {
            return wei;
        }

        var value = Protocol.Pricing.BigRational.Parse(lpt);
        return (value * new Protocol.Pricing.BigRational(wei)).Floor();
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private sealed class DisposableLedger(SqliteLedger ledger) : IDisposable
    {
        public SqliteLedger Ledger { get; } = ledger;

        public void Dispose() => Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
