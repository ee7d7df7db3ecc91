using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Payments;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Payments;

/// <summary>
/// On-chain mode when <c>ConnectionStrings:ledger</c> is set (go-livepeer: <c>-ethUrl</c>): the gateway's key from
/// <c>Payments:DataDir</c> (sent as OrchestratorRequest.address unless Discovery:GatewayAddress is set), tickets for every
/// attempt, and with <c>Discovery:Source</c> = <c>ledger</c> (or <c>orchAddr,ledger</c>) the ledger's registry as an
/// orchestrator source and as the stake reader.
/// </summary>
public static class OnChainPaymentsSetup
{
    public const string LedgerConnectionName = "ledger";

    public static WebApplicationBuilder AddGatewayOnChainPayments(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var connection = configuration.GetConnectionString(LedgerConnectionName);
        var sourceSetting = configuration["Discovery:Source"] ?? "orchAddr";
        var sourceNames = sourceSetting.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = sourceNames.Where(n => !n.Equals("orchAddr", StringComparison.OrdinalIgnoreCase) && !n.Equals("ledger", StringComparison.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException($"Discovery:Source '{sourceSetting}': unknown source(s) {string.Join(", ", unknown)}; use orchAddr, ledger or orchAddr,ledger");
        }

        var useLedgerRegistry = sourceNames.Contains("ledger", StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(connection))
        {
            return useLedgerRegistry
                ? throw new InvalidOperationException("Discovery:Source=ledger needs ConnectionStrings:ledger (the network's ledger file)")
                : builder;
        }

        var services = builder.Services;
        var onChain = configuration.GetSection(PaymentSenderOptions.SectionName).Get<OnChainPaymentOptions>() ?? new OnChainPaymentOptions();
        if (string.IsNullOrWhiteSpace(onChain.DataDir))
        {
            throw new InvalidOperationException("on-chain mode (ConnectionStrings:ledger is set) needs Payments:DataDir for the gateway's eth.key");
        }

        if (onChain.AuthTokenRefreshMargin < TimeSpan.Zero || onChain.ParamsRefreshBlocks < 0)
        {
            throw new InvalidOperationException($"Payments:AuthTokenRefreshMargin ({onChain.AuthTokenRefreshMargin}) and Payments:ParamsRefreshBlocks ({onChain.ParamsRefreshBlocks}) must not be negative");
        }

        services.AddSingleton(onChain);
        services.AddOptions<LedgerOptions>().Bind(configuration.GetSection(LedgerOptions.SectionName)).ValidateOnStart();
        services.AddOptions<PaymentSenderOptions>().Bind(configuration.GetSection(PaymentSenderOptions.SectionName)).ValidateOnStart();
        services.AddSingleton(_ => EthAccount.LoadOrCreate(onChain.DataDir));
        services.AddSingleton<ILedger>(sp => LedgerFactory.Open(connection, sp.GetRequiredService<IOptions<LedgerOptions>>().Value, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<EthAccount>));
        services.AddSingleton(sp => new PaymentSender(sp.GetRequiredService<EthAccount>(), sp.GetRequiredService<ILedger>(),
            sp.GetRequiredService<IOptions<PaymentSenderOptions>>().Value, sp.GetRequiredService<TimeProvider>(), sp.GetService<ISenderNonces>()));
        services.Replace(ServiceDescriptor.Singleton<IPaymentSender, OnChainPaymentSender>());
        services.Replace(ServiceDescriptor.Singleton(sp => GatewayIdentity.Signed(sp.GetRequiredService<EthAccount>())));
        services.AddSingleton<IPostConfigureOptions<DiscoveryOptions>>(sp => new PostConfigureOptions<DiscoveryOptions>(Options.DefaultName, o =>
        {
            var key = sp.GetRequiredService<EthAccount>().Address;
            var own = key.ToLowerHex();
            if (string.IsNullOrWhiteSpace(o.GatewayAddress))
            {
                o.GatewayAddress = own;
            }
            else if (!EthAddress.TryParse(o.GatewayAddress, out var configured) || !configured.Equals(key))
            {
                throw new OptionsValidationException(nameof(DiscoveryOptions), typeof(DiscoveryOptions),
                    [$"Discovery:GatewayAddress {o.GatewayAddress} is not the address of the key in Payments:DataDir ({own}); on-chain the gateway signs getOrchestrator with that key, so leave GatewayAddress unset or set it to {own}"]);
            }
        }));
        services.AddSingleton<LedgerRegistry>();
        if (useLedgerRegistry)
        {
            if (!sourceNames.Contains("orchAddr", StringComparer.OrdinalIgnoreCase))
            {
                services.RemoveAll<IOrchestratorSource>();
            }

            services.AddSingleton<IOrchestratorSource, LedgerOrchestratorSource>();
            services.Replace(ServiceDescriptor.Singleton<IStakeReader, LedgerStakeReader>());
        }

        return builder;
    }

    /// <summary>Logs the gateway's address and funds once at start (a bad key file or ledger stops start-up here).</summary>
    public static void LogOnChainPayments(this WebApplication app)
    {
        if (app.Services.GetService<PaymentSender>() is not { } sender)
        {
            return;
        }

        var ledger = app.Services.GetRequiredService<ILedger>();
        var funds = ledger.GetSenderAsync(sender.Address).GetAwaiter().GetResult();
        app.Logger.LogInformation("on-chain payments: gateway {Address}, deposit {Deposit} wei, reserve {Reserve} wei, max ticket EV {MaxTicketEV}, max total EV {MaxTotalEV}, signatures by {Crypto}",
            sender.Address, funds.Deposit, funds.Reserve, sender.MaxTicketEV, sender.MaxTotalEV, Secp256k1.Description);
        if (funds.Deposit.IsZero || funds.Reserve.IsZero)
        {
            app.Logger.LogWarning("gateway {Address} has no deposit or no reserve on the ledger: paid jobs will fail until it is funded", sender.Address);
        }
    }
}
