using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Payments;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Orchestrator.Payments;

/// <summary>
/// Switches the orchestrator to on-chain payments when <c>ConnectionStrings:ledger</c> is set (go-livepeer: an
/// <c>-ethUrl</c>); off-chain otherwise. A <c>Data Source=…</c> value is the SQLite ledger file, an <c>Endpoint=…</c> value an
/// EVM chain (see <see cref="LedgerFactory"/>). Sections: <c>Ledger</c> (chain parameters when this process creates the file),
/// <c>TicketIssuer</c> (<c>-ticketEV</c>, <c>-maxFaceValue</c>, gas price), <c>Orchestrator:DataDir</c> (eth.key).
/// </summary>
public static class OnChainPaymentsSetup
{
    public const string LedgerConnectionName = "ledger";

    /// <summary>Request headers the orchestrator accepts in on-chain mode: go-livepeer's 1 MiB (net/http DefaultMaxHeaderBytes), Kestrel's request buffer size.</summary>
    public const int MaxHeaderBytes = 1024 * 1024;

    public static WebApplicationBuilder AddOnChainPayments(this WebApplicationBuilder builder)
    {
        var connection = builder.Configuration.GetConnectionString(LedgerConnectionName);
        if (string.IsNullOrWhiteSpace(connection))
        {
            return builder;
        }

        // A payment can carry hundreds of tickets (~100 base64 characters each); go-livepeer accepts 1 MiB of headers.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestHeadersTotalSize = Math.Max(kestrel.Limits.MaxRequestHeadersTotalSize, MaxHeaderBytes));
        var services = builder.Services;
        services.AddOptions<LedgerOptions>().Bind(builder.Configuration.GetSection(LedgerOptions.SectionName)).ValidateOnStart();
        services.AddOptions<TicketIssuerOptions>().Bind(builder.Configuration.GetSection(TicketIssuerOptions.SectionName)).ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var dataDir = sp.GetRequiredService<IOptions<OrchestratorOptions>>().Value.DataDir;
            if (string.IsNullOrWhiteSpace(dataDir))
            {
                throw new InvalidOperationException("on-chain mode (ConnectionStrings:ledger is set) needs Orchestrator:DataDir for the orchestrator's eth.key");
            }

            return EthAccount.LoadOrCreate(dataDir);
        });
        services.AddSingleton<ILedger>(sp => LedgerFactory.Open(connection, sp.GetRequiredService<IOptions<LedgerOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<EthAccount>));
        services.AddSingleton(sp =>
        {
            var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger("LivepeerAspire.Orchestrator.Redemptions");
            var account = sp.GetRequiredService<EthAccount>(); // first: it refuses a missing DataDir with the reason
            var dataDir = sp.GetRequiredService<IOptions<OrchestratorOptions>>().Value.DataDir!;
            return OrchestratorPayments.Create(account, sp.GetRequiredService<ILedger>(),
                sp.GetRequiredService<IOptions<TicketIssuerOptions>>().Value, sp.GetRequiredService<TimeProvider>(),
                line => log.LogInformation("{Line}", line),
                winningTickets: new WinningTicketFile(Path.Combine(dataDir, WinningTicketFile.FileName)));
        });
        services.Replace(ServiceDescriptor.Singleton<IPaymentReceiver, OnChainPaymentReceiver>());
        services.Replace(ServiceDescriptor.Singleton(new Discovery.GatewayRequestCheck(onChain: true)));
        services.Replace(ServiceDescriptor.Singleton<ITicketParamsSource, OnChainTicketParamsSource>());
        services.AddHostedService<LedgerParticipation>();
        return builder;
    }

    /// <summary>Builds the payment objects now so that a bad key file, ledger or ticket setting stops start-up with its reason.</summary>
    public static void ValidateOnChainPayments(this WebApplication app)
    {
        if (app.Services.GetService<OrchestratorPayments>() is null)
        {
            return;
        }

        var account = app.Services.GetRequiredService<EthAccount>();
        app.Logger.LogInformation("on-chain payments: address {Address}, ledger {Ledger}, signatures by {Crypto}",
            account.Address, app.Configuration.GetConnectionString(LedgerConnectionName), Secp256k1.Description);
    }
}
