using System.Numerics;
using Google.Protobuf;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Payments;
using LivepeerAspire.Protocol.Pricing;
using LivepeerAspire.Protocol.Tests.Ledger;

namespace LivepeerAspire.Protocol.Tests.Payments;

/// <summary>A ledger file, one orchestrator and one funded gateway wired the way the services wire them.</summary>
internal sealed class PaymentTestNetwork : IDisposable
{
    public const string ManifestId = "27_stabilityai/sd-turbo";
    public static readonly BigInteger Deposit = BigInteger.Parse("1000000000000000000"); // 1 ETH
    public static readonly BigInteger Reserve = BigInteger.Parse("1000000000000000000");

    private readonly string directory = Path.Combine(Path.GetTempPath(), "lpa-pay-" + Guid.NewGuid().ToString("N"));

    public PaymentTestNetwork(int seed = 1, TicketIssuerOptions? issuerOptions = null, PaymentSenderOptions? senderOptions = null, bool fund = true,
        bool keepWinningTickets = false)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(seed);
        Clock = new ManualTimeProvider();
        Ledger = SqliteLedger.Open($"Data Source={Path.Combine(directory, "ledger.db")}", new LedgerOptions { BlockTime = TimeSpan.FromSeconds(1), RoundLength = 1000 }, Clock);
        Orchestrator = new EthAccount(Eth.EthPrimitivesVectorTests.RandomKey(random));
        Gateway = new EthAccount(Eth.EthPrimitivesVectorTests.RandomKey(random));
        Ledger.RegisterOrchestratorAsync(Orchestrator.Address, "https://127.0.0.1:8935", 1000).GetAwaiter().GetResult();
        if (fund)
        {
            Ledger.FundDepositAndReserveAsync(Gateway.Address, Deposit, Reserve).GetAwaiter().GetResult();
        }

        TicketFile = new WinningTicketFile(Path.Combine(directory, WinningTicketFile.FileName));
        Queue = new RedemptionQueue(Ledger, store: keepWinningTickets ? TicketFile : null);
        // A low gas price gives face values around 100 × EV, so a few hundred tickets produce winners.
        Issuer = new TicketIssuer(Orchestrator.Address, new RecipientSecret(Bytes(random, 32)), Ledger,
            issuerOptions ?? new TicketIssuerOptions { GasPrice = "0", TicketEV = "1000000000" }, Queue, new Random(seed));
        Receiver = new PaymentReceiver(Issuer, Ledger, new SenderKeyCache(Secp256k1.Default), Queue, new Balances(Clock));
        Sender = new PaymentSender(Gateway, Ledger, senderOptions ?? new PaymentSenderOptions(), Clock);
    }

    public ManualTimeProvider Clock { get; }
    public SqliteLedger Ledger { get; }
    public EthAccount Orchestrator { get; }
    public EthAccount Gateway { get; }
    public RedemptionQueue Queue { get; }
    public WinningTicketFile TicketFile { get; }
    public TicketIssuer Issuer { get; }
    public PaymentReceiver Receiver { get; }
    public PaymentSender Sender { get; }

    /// <summary>What /getOrchestrator would return to this gateway at a price (wei per unit).</summary>
    public async Task<OrchestratorInfo> InfoAsync(BigRational price, string session = "session-1")
    {
        var priceInfo = PriceInfos.ToPriceInfo(price, 27, "stabilityai/sd-turbo");
        return new OrchestratorInfo
        {
            Transcoder = "https://127.0.0.1:8935",
            Address = ByteString.CopyFrom(Orchestrator.Address.Span),
            PriceInfo = priceInfo,
            TicketParams = await Issuer.IssueParamsAsync(Gateway.Address, priceInfo),
            AuthToken = new AuthToken { SessionId = session, Token = ByteString.CopyFromUtf8("t"), Expiration = 0 },
        };
    }

    public void AdvanceBlocks(int blocks) => Clock.Advance(TimeSpan.FromSeconds(blocks));

    public static byte[] Bytes(Random random, int length)
    {
        var b = new byte[length];
        random.NextBytes(b);
        return b;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
