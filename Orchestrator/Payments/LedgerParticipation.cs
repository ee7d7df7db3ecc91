using System.Globalization;
using System.Numerics;
using LivepeerAspire.Orchestrator.Discovery;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Payments;
using LivepeerAspire.Protocol.Pricing;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Orchestrator.Payments;

/// <summary>
/// On-chain mode, once the server listens: registers this orchestrator on the ledger (address, service URI, stake from
/// Orchestrator:Stake, default 1 LPT) unless it is registered already (the AppHost registers with the topology's stake),
/// then redeems due winning tickets every Orchestrator:RedemptionInterval until shutdown.
/// </summary>
public sealed class LedgerParticipation(
    EthAccount account,
    ILedger ledger,
    OrchestratorPayments payments,
    ServiceUriResolver serviceUri,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    IOptions<OrchestratorOptions> options,
    ILogger<LedgerParticipation> logger) : BackgroundService
{
    public static readonly BigInteger WeiPerLpt = BigInteger.Pow(10, 18);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled()))
        {
            try
            {
                await started.Task;
            }
            catch (TaskCanceledException)
            {
                return;
            }
        }

        try
        {
            await RegisterAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError("could not register {Address} on the ledger: {Error}", account.Address, e.Message);
        }

        try
        {
            await payments.Redemptions.RunAsync(options.Value.RedemptionInterval, time, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RegisterAsync(CancellationToken ct)
    {
        var existing = await ledger.GetOrchestratorAsync(account.Address, ct);
        var uri = serviceUri.Resolve();
        if (existing is { Stake.Sign: > 0 } && existing.ServiceUri == uri)
        {
            logger.LogInformation("on the ledger as {Address} at {Uri} with stake {Stake} LPT-wei", account.Address, uri, existing.Stake);
            return;
        }

        var stake = existing is { Stake.Sign: > 0 } ? existing.Stake : ParseStake(options.Value.Stake);
        await ledger.RegisterOrchestratorAsync(account.Address, uri, stake, ct);
        logger.LogInformation("registered {Address} at {Uri} on the ledger with stake {Stake} LPT-wei", account.Address, uri, stake);
    }

    /// <summary>LPT (a decimal number) → LPT-wei; null or empty → 1 LPT.</summary>
    public static BigInteger ParseStake(string? lpt)
    {
        if (string.IsNullOrWhiteSpace(lpt))
        {
            return WeiPerLpt;
        }

        return BigRational.TryParse(lpt.Trim(), out var value) && value.Sign >= 0
            ? (value * new BigRational(WeiPerLpt)).Floor()
            : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Orchestrator:Stake '{lpt}' must be a non-negative number of LPT"));
    }
}
