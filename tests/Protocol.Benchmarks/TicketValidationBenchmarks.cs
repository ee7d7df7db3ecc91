using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Payments;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Protocol.Benchmarks;

/// <summary>
/// The payment hot path end to end, per ticket, beside a raw libsecp256k1 verify in the same run:
/// the gateway creating a one-ticket payment (params check, nonce, hash, sign, encode) and the orchestrator
/// validating it (decode the header, ticket params and recipientRand check, hash, verify against the cached sender
/// key, win test, credit). Each iteration gets fresh ticket params and <see cref="Batch"/> fresh one-ticket
/// payments, prepared outside the measurement; a nonce can be used once, so each payment is validated once.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
[InvocationCount(1)]
public class TicketValidationBenchmarks
{
    public const int Batch = 400; // under the 600 fresh nonces one set of params allows

    private readonly string directory = Path.Combine(Path.GetTempPath(), "lpa-bench-" + Guid.NewGuid().ToString("N"));
    private SqliteLedger ledger = null!;
    private EthAccount orchestrator = null!;
    private EthAccount gateway = null!;
    private TicketIssuer issuer = null!;
    private PaymentReceiver receiver = null!;
    private PaymentSender sender = null!;
    private PriceInfo price = null!;
    private BigRational fee;
    private string[] headers = [];
    private OrchestratorInfo info = null!;
    private byte[] digest = [];
    private byte[] signature = [];
    private EcPublicKey key = null!;
    private int session;

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(directory);
        var random = new Random(1);
        ledger = SqliteLedger.Open($"Data Source={Path.Combine(directory, "ledger.db")}", new LedgerOptions { BlockTime = TimeSpan.FromSeconds(1), RoundLength = 100_000 });
        orchestrator = new EthAccount(Bytes(random, 32), Secp256k1.Default);
        gateway = new EthAccount(Bytes(random, 32), Secp256k1.Default);
        ledger.RegisterOrchestratorAsync(orchestrator.Address, "https://127.0.0.1:8935", 1000).GetAwaiter().GetResult();
        ledger.FundDepositAndReserveAsync(gateway.Address, System.Numerics.BigInteger.Pow(10, 21), System.Numerics.BigInteger.Pow(10, 21)).GetAwaiter().GetResult();
        var queue = new RedemptionQueue(ledger);
        issuer = new TicketIssuer(orchestrator.Address, new RecipientSecret(Bytes(random, 32)), ledger, new TicketIssuerOptions { GasPrice = "0", TicketEV = "1000000000" }, queue, new Random(1));
        receiver = new PaymentReceiver(issuer, ledger, new SenderKeyCache(Secp256k1.Default), queue, new Balances(TimeProvider.System));
        sender = new PaymentSender(gateway, ledger, new PaymentSenderOptions(), TimeProvider.System);
        price = PriceInfos.ToPriceInfo(new BigRational(1), 27, "stabilityai/sd-turbo");

        var native = Secp256k1.Native ?? throw new InvalidOperationException("libsecp256k1.so.1 did not load");
        digest = Bytes(random, 32);
        var signer = new EthAccount(Bytes(random, 32), native);
        signature = signer.SignDigest(digest);
        key = new EcPublicKey(signer.PublicKey.Bytes);
        native.Verify(digest, signature, key);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    private OrchestratorInfo FreshInfo() => new()
    {
        Transcoder = "https://127.0.0.1:8935",
        Address = ByteString.CopyFrom(orchestrator.Address.Span),
        PriceInfo = price,
        TicketParams = issuer.IssueParamsAsync(gateway.Address, price).GetAwaiter().GetResult(),
        AuthToken = new AuthToken { SessionId = "s" + session++, Token = ByteString.CopyFromUtf8("t"), Expiration = 0 },
    };

    [IterationSetup(Target = nameof(ValidateOneTicketPayments))]
    public void PreparePayments()
    {
        info = FreshInfo();
        TicketParameters.TryDecode(info.TicketParams, info.TicketParams.ExpirationParams, out var parameters, out var error);
        fee = parameters?.ExpectedValue ?? throw new InvalidOperationException(error);
        headers = new string[Batch];
        for (var i = 0; i < Batch; i++)
        {
            // A new session each time: no credit left over, so each payment carries exactly one ticket.
            var sessionInfo = info.Clone();
            sessionInfo.AuthToken.SessionId = "v" + session++;
            var payment = sender.CreatePaymentAsync(sessionInfo, fee).GetAwaiter().GetResult();
            if (payment.TicketCount != 1)
            {
                throw new InvalidOperationException($"expected one ticket per payment, got {payment.TicketCount}");
            }

            headers[i] = payment.Header;
        }
    }

    [IterationSetup(Target = nameof(CreateOneTicketPayments))]
    public void PrepareParams()
    {
        info = FreshInfo();
        TicketParameters.TryDecode(info.TicketParams, info.TicketParams.ExpirationParams, out var parameters, out var error);
        fee = parameters?.ExpectedValue ?? throw new InvalidOperationException(error);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "raw libsecp256k1 verify (cached key)")]
    public int RawVerify()
    {
        var ok = 0;
        for (var i = 0; i < Batch; i++)
        {
            ok += Secp256k1.Native!.Verify(digest, signature, key) ? 1 : 0;
        }

        return ok;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "orchestrator: validate + credit a 1-ticket payment")]
    public async Task<int> ValidateOneTicketPayments()
    {
        var ok = 0;
        foreach (var header in headers)
        {
            var result = await receiver.ProcessHeaderAsync(header, "27_stabilityai/sd-turbo");
            ok += result.Accepted ? 1 : throw new InvalidOperationException(result.Error);
        }

        return ok;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "gateway: create a 1-ticket payment (sign + encode)")]
    public async Task<int> CreateOneTicketPayments()
    {
        var tickets = 0;
        for (var i = 0; i < Batch; i++)
        {
            var sessionInfo = info.Clone();
            sessionInfo.AuthToken.SessionId = "c" + session++;
            tickets += (await sender.CreatePaymentAsync(sessionInfo, fee)).TicketCount;
        }

        return tickets;
    }

    private static byte[] Bytes(Random random, int length)
    {
        var b = new byte[length];
        random.NextBytes(b);
        return b;
    }
}
