using System.Numerics;
using Google.Protobuf;
using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Gateway.Payments;
using LivepeerAspire.Gateway.Tests.Fakes;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Payments;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pricing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace LivepeerAspire.Gateway.Tests.Payments;

/// <summary>
/// The on-chain sender against a real ledger file and Protocol's orchestrator side (issuer and receiver) on a manual
/// clock with 1 s blocks: what it sends is what an orchestrator accepts, credit carries over, expired params are
/// refreshed, and a gateway that cannot pay says why.
/// </summary>
public sealed class OnChainPaymentSenderTests : IDisposable
{
    private const string ServiceUri = "http://127.0.0.1:1/";
    private const string Model = "stabilityai/sdxl-turbo";
    private readonly string dir = Directory.CreateTempSubdirectory("gw-onchain-").FullName;
    private readonly ManualTimeProvider time = new();
    private readonly SqliteLedger ledger;
    private readonly EthAccount gateway = EthAccount.Generate();
    private readonly EthAccount orchestrator = EthAccount.Generate();
    private readonly OrchestratorPayments orch;
    private readonly IssuingInfoClient infoClient;

    public OnChainPaymentSenderTests()
    {
        ledger = SqliteLedger.Open($"Data Source={Path.Combine(dir, "ledger.db")}", new LedgerOptions { BlockTime = TimeSpan.FromSeconds(1) }, time);
        ledger.RegisterOrchestratorAsync(orchestrator.Address, ServiceUri, BigInteger.Pow(10, 18) * 7).GetAwaiter().GetResult();
        orch = OrchestratorPayments.Create(orchestrator, ledger, new TicketIssuerOptions { TicketEV = "1000", GasPrice = "0" }, time);
        infoClient = new IssuingInfoClient(orch, gateway.Address, time);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    private OnChainPaymentSender Sender(EthAccount? account = null) =>
        new(new PaymentSender(account ?? gateway, ledger, new PaymentSenderOptions { LedgerCacheTime = TimeSpan.Zero }, time), account ?? gateway, ledger,
            infoClient, new LocalTicketParamsStore(), new OnChainPaymentOptions(), NullLogger<OnChainPaymentSender>.Instance, time);

    private static PaymentRequest Job(OrchestratorInfo info, long units) => new(info, PipelineCatalog.TextToImage, Model, units);

    [Fact]
    public async Task Its_headers_are_accepted_by_the_orchestrator_and_surplus_credit_pays_the_next_job()
    {
        await ledger.FundDepositAndReserveAsync(gateway.Address, 10_000_000, 10_000_000);
        var sender = Sender();
        var info = infoClient.Issue();

        var first = await sender.PrepareAsync(Job(info, 2250), default);
        first.FeeWei.ShouldBe(new BigInteger(4500)); // 2250 units × 2 wei
        var headers = first.Headers.ToDictionary(h => h.Key, h => h.Value);
        SegmentCredentials.TryDecode(headers[SegmentCredentials.HeaderName], out var seg, out _).ShouldBeTrue();
        SegmentCredentials.VerifySignature(seg!, gateway.Address).ShouldBeTrue();
        seg!.ManifestId.ToStringUtf8().ShouldBe("27_" + Model);
        var result = await orch.Receiver.ProcessHeaderAsync(headers[PaymentHeader.Name], "27_" + Model);
        result.Accepted.ShouldBeTrue(result.Error);
        result.Tickets.ShouldBe(5); // ⌈4500 / EV⌉, EV a hair above 1000
        sender.Complete(first, PaymentOutcome.Succeeded);

        // About 500 wei is left over, so a 1500-wei job needs ⌈(1500 − 500) / EV⌉ = 1 ticket instead of 2.
        var second = await sender.PrepareAsync(Job(info, 750), default);
        var payment = Payment.Parser.ParseFrom(Convert.FromBase64String(second.Headers.First(h => h.Key == PaymentHeader.Name).Value));
        payment.TicketSenderParams.Count.ShouldBe(1);
        payment.TicketSenderParams[0].SenderNonce.ShouldBe(6u);
        infoClient.Calls.ShouldBe(0);
    }

    [Fact]
    public async Task Params_about_to_expire_are_refreshed_with_a_getOrchestrator_before_paying()
    {
        await ledger.FundDepositAndReserveAsync(gateway.Address, 10_000_000, 10_000_000);
        var sender = Sender();
        var stale = infoClient.Issue();
        time.Advance(TimeSpan.FromSeconds(39)); // params expire 40 blocks after issue

        var ticket = await sender.PrepareAsync(Job(stale, 100), default);

        infoClient.Calls.ShouldBe(1);
        var payment = Payment.Parser.ParseFrom(Convert.FromBase64String(ticket.Headers.First(h => h.Key == PaymentHeader.Name).Value));
        payment.TicketParams.Seed.ShouldNotBe(stale.TicketParams.Seed);
        (await orch.Receiver.ProcessPaymentAsync(payment, "27_" + Model)).Accepted.ShouldBeTrue();

        // The fresh params are reused for the next job instead of asking again.
        await sender.PrepareAsync(Job(stale, 100), default);
        infoClient.Calls.ShouldBe(1);
    }

    [Fact]
    public async Task Params_whose_600_sender_nonces_are_used_are_refreshed_instead_of_sending_a_601st_ticket()
    {
        await ledger.FundDepositAndReserveAsync(gateway.Address, BigInteger.Pow(10, 12), BigInteger.Pow(10, 12));
        var sender = Sender();
        var info = infoClient.Issue();
        var accepted = 0;
        foreach (var _ in Enumerable.Range(0, 3))
        {
            // 150,000 units × 2 wei = 300,000 wei: about 300 tickets of EV ~1000 per job, so the third job would need nonces 601+.
            var ticket = await sender.PrepareAsync(Job(info, 150_000), default);
            var payment = Payment.Parser.ParseFrom(Convert.FromBase64String(ticket.Headers.First(h => h.Key == PaymentHeader.Name).Value));
            var result = await orch.Receiver.ProcessPaymentAsync(payment, "27_" + Model);
            result.Accepted.ShouldBeTrue(result.Error);
            accepted += result.Tickets;
            sender.Complete(ticket, PaymentOutcome.Succeeded);
        }

        infoClient.Calls.ShouldBe(1);
        accepted.ShouldBeGreaterThan(600);
    }

    [Fact]
    public async Task A_session_whose_auth_token_is_in_its_last_three_minutes_is_refreshed_before_paying()
    {
        await ledger.FundDepositAndReserveAsync(gateway.Address, 10_000_000, 10_000_000);
        var sender = Sender();
        var info = infoClient.Issue();
        info.AuthToken.Expiration = time.GetUtcNow().ToUnixTimeSeconds() + 200;

        await sender.PrepareAsync(Job(info, 100), default);
        infoClient.Calls.ShouldBe(0);

        time.Advance(TimeSpan.FromSeconds(21));
        var ticket = await sender.PrepareAsync(Job(info, 100), default);

        infoClient.Calls.ShouldBe(1);
        SegmentCredentials.TryDecode(ticket.Headers.First(h => h.Key == SegmentCredentials.HeaderName).Value, out var seg, out _).ShouldBeTrue();
        seg!.AuthToken.Expiration.ShouldBeGreaterThan(info.AuthToken.Expiration);
    }

    [Fact]
    public async Task A_gateway_without_deposit_gets_an_error_that_names_its_address_and_the_fix()
    {
        var info = infoClient.Issue(reserveBacked: false);
        var e = await Should.ThrowAsync<PaymentUnavailableException>(async () => await Sender().PrepareAsync(Job(info, 100), default));

        e.Message.ShouldContain(gateway.Address.ToString());
        e.Message.ShouldContain("no sender reserve");
        e.Message.ShouldContain("fund its deposit and reserve");
    }

    [Fact]
    public async Task Ticket_EV_above_maxTicketEV_is_refused_before_anything_is_signed()
    {
        await ledger.FundDepositAndReserveAsync(gateway.Address, 10_000_000, 10_000_000);
        var info = infoClient.Issue();
        var strict = new OnChainPaymentSender(new PaymentSender(gateway, ledger, new PaymentSenderOptions { MaxTicketEV = "999" }, time), gateway, ledger,
            infoClient, new LocalTicketParamsStore(), new OnChainPaymentOptions(), NullLogger<OnChainPaymentSender>.Instance, time);

        var e = await Should.ThrowAsync<PaymentUnavailableException>(async () => await strict.PrepareAsync(Job(info, 100), default));

        e.Message.ShouldContain("exceeds max ticket EV 999");
    }

    [Fact]
    public async Task The_ledger_registry_gives_discovery_its_service_URIs_and_selection_its_stakes()
    {
        var other = EthAccount.Generate();
        await ledger.RegisterOrchestratorAsync(other.Address, "http://127.0.0.1:2", BigInteger.Pow(10, 18) * 3 / 2);
        var registry = new LedgerRegistry(ledger, new OnChainPaymentOptions(), time);

        var urls = await new LedgerOrchestratorSource(registry).GetOrchestratorUrlsAsync(default);

        urls.Select(u => OrchestratorKey.Of(u)).Order().ShouldBe(["http://127.0.0.1:1", "http://127.0.0.1:2"]);
        registry.StakeOf(orchestrator.Address.ToLowerHex()).ShouldBe(7m);
        registry.StakeOf(other.Address.ToLowerHex()).ShouldBe(1.5m);
        registry.StakeOf("0x" + new string('0', 40)).ShouldBe(0m);
    }

    /// <summary>getOrchestrator answered by Protocol's ticket issuer at 2 wei per unit.</summary>
    private sealed class IssuingInfoClient(OrchestratorPayments orch, EthAddress gateway, TimeProvider time) : IOrchestratorInfoClient
    {
        public int Calls;

        public OrchestratorInfo Issue(bool reserveBacked = true)
        {
            var price = PriceInfos.ToPriceInfo(new BigRational(2));
            var info = new OrchestratorInfo
            {
                Transcoder = ServiceUri,
                Address = ByteString.CopyFrom(orch.Issuer.Recipient.Span),
                PriceInfo = price,
                AuthToken = new AuthToken { SessionId = Guid.NewGuid().ToString("N")[..8], Expiration = time.GetUtcNow().AddMinutes(30).ToUnixTimeSeconds() },
            };
            if (reserveBacked)
            {
                info.TicketParams = orch.Issuer.IssueParamsAsync(gateway, price).GetAwaiter().GetResult();
            }
            else
            {
                // Params as an orchestrator would issue them for a funded sender: a face value of 100 × EV.
                var head = orch.Issuer.IssueParamsAsync(gateway, new BigRational(0)).GetAwaiter().GetResult();
                var parameters = new TicketParameters(orch.Issuer.Recipient, 100_000, TicketMath.WinProb(100_000, 1000), new byte[32], BigInteger.One,
                    new BigInteger(head.ExpirationBlock.Span, isUnsigned: true, isBigEndian: true), head.ExpirationParams.CreationRound,
                    head.ExpirationParams.CreationRoundBlockHash.ToByteArray());
                info.TicketParams = parameters.ToProto();
            }

            return info;
        }

        public Task<DiscoveredOrchestrator> GetOrchestratorAsync(Uri orchestrator, Capabilities? capabilities, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult(new DiscoveredOrchestrator(orchestrator, Issue(), TimeSpan.FromMilliseconds(1)));
        }
    }
}
