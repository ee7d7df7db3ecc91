using System.Numerics;
using Google.Protobuf;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Payments;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Protocol.Tests.Payments;

/// <summary>Every bad payment input of issue 4: refused with go-livepeer's message and status, no credit, no funds moved.</summary>
public sealed class PaymentRejectionTests : IDisposable
{
    private const string Manifest = PaymentTestNetwork.ManifestId;
    private readonly PaymentTestNetwork net = new(seed: 7);

    private async Task<PreparedPayment> PayAsync(BigRational? fee = null)
    {
        var info = await net.InfoAsync(new BigRational(3));
        return await net.Sender.CreatePaymentAsync(info, fee ?? new BigRational(5_000_000_000));
    }

    private async Task ShouldRejectAsync(PaymentResult result, string message, int status = 400)
    {
        result.Accepted.ShouldBeFalse();
        result.Error.ShouldNotBeNull();
        result.Error.ShouldContain(message);
        result.StatusCode.ShouldBe(status);
        result.Credit.ShouldBe(BigRational.Zero);
        net.Receiver.Balance(net.Gateway.Address, Manifest).ShouldBeNull("no credit may be granted");
        net.Receiver.SufficientBalance(net.Gateway.Address, Manifest).ShouldBeFalse();
        net.Queue.Count.ShouldBe(0);
        var sender = await net.Ledger.GetSenderAsync(net.Gateway.Address);
        sender.Deposit.ShouldBe(PaymentTestNetwork.Deposit, "no funds may move");
        sender.Reserve.ShouldBe(PaymentTestNetwork.Reserve);
        (await net.Ledger.GetRedemptionsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Forged_signature()
    {
        var prepared = await PayAsync();
        var forger = new EthAccount(Eth.EthPrimitivesVectorTests.RandomKey(new Random(99)));
        var parameters = TicketParamsOf(prepared.Payment);
        foreach (var t in prepared.Payment.TicketSenderParams)
        {
            t.Sig = ByteString.CopyFrom(forger.SignDigest(parameters.TicketFor(net.Gateway.Address, t.SenderNonce).SignatureDigest()));
        }

        await ShouldRejectAsync(await net.Receiver.ProcessPaymentAsync(prepared.Payment, Manifest), PaymentErrors.InvalidSignature);
    }

    [Fact]
    public async Task Signature_with_flipped_V_is_refused_even_with_a_cached_key()
    {
        var good = await PayAsync();
        (await net.Receiver.ProcessPaymentAsync(good.Payment, "other-manifest")).Accepted.ShouldBeTrue(); // caches the sender key
        var prepared = await PayAsync();
        foreach (var t in prepared.Payment.TicketSenderParams)
        {
            var sig = t.Sig.ToByteArray();
            sig[64] ^= 27 ^ 28;
            t.Sig = ByteString.CopyFrom(sig);
        }

        var result = await net.Receiver.ProcessPaymentAsync(prepared.Payment, Manifest);
        result.Error.ShouldBe(PaymentErrors.InvalidSignature);
        net.Receiver.Balance(net.Gateway.Address, Manifest).ShouldBeNull();
    }

    [Fact]
    public async Task Replayed_nonce()
    {
        var prepared = await PayAsync();
        var first = await net.Receiver.ProcessHeaderAsync(prepared.Header, "first-manifest");
        first.Accepted.ShouldBeTrue();

        var replay = await net.Receiver.ProcessHeaderAsync(prepared.Header, Manifest);
        replay.Error.ShouldBe(PaymentErrors.NonceAlreadySeen);
        replay.StatusCode.ShouldBe(400);
        replay.Credit.ShouldBe(BigRational.Zero);
        net.Receiver.Balance(net.Gateway.Address, Manifest).ShouldBeNull();
    }

    [Fact]
    public async Task More_than_600_nonces_per_params()
    {
        var info = await net.InfoAsync(new BigRational(3));
        var payment = (await net.Sender.CreatePaymentAsync(info, BigRational.Zero)).Payment; // one ticket, template
        var parameters = TicketParamsOf(payment);
        payment.TicketSenderParams.Clear();
        for (uint nonce = 1; nonce <= 601; nonce++)
        {
            payment.TicketSenderParams.Add(new TicketSenderParams
            {
                SenderNonce = nonce,
                Sig = ByteString.CopyFrom(net.Gateway.SignDigest(parameters.TicketFor(net.Gateway.Address, nonce).SignatureDigest())),
            });
        }

        var result = await net.Receiver.ProcessPaymentAsync(payment, Manifest);
        result.Error.ShouldBe(PaymentErrors.NonceTooMany);
        result.CreditedTickets.ShouldBe(600, "tickets before the first non-fatal error are still credited");
    }

    [Fact]
    public async Task Ticket_for_another_recipient()
    {
        using var other = new PaymentTestNetwork(seed: 8);
        var info = await other.InfoAsync(new BigRational(3));
        var prepared = await new PaymentSender(net.Gateway, net.Ledger, new PaymentSenderOptions(), net.Clock).CreatePaymentAsync(info, new BigRational(10));

        await ShouldRejectAsync(await net.Receiver.ProcessPaymentAsync(prepared.Payment, Manifest), PaymentErrors.InvalidRecipient);
    }

    [Fact]
    public async Task Expired_params_are_refused_by_the_gateway_and_by_the_orchestrator()
    {
        var info = await net.InfoAsync(new BigRational(3));
        var prepared = await net.Sender.CreatePaymentAsync(info, new BigRational(10));
        net.AdvanceBlocks(40);

        await ShouldRejectAsync(await net.Receiver.ProcessPaymentAsync(prepared.Payment, Manifest), PaymentErrors.TicketParamsExpired);

        var expired = await Should.ThrowAsync<PaymentException>(() => new PaymentSender(net.Gateway, net.Ledger, new PaymentSenderOptions(), net.Clock).CreatePaymentAsync(info, new BigRational(10)));
        expired.Message.ShouldBe(PaymentErrors.TicketParamsExpired);
        expired.ParamsExpired.ShouldBeTrue();
    }

    [Fact]
    public async Task Gateway_treats_params_one_block_from_expiry_as_expired()
    {
        var info = await net.InfoAsync(new BigRational(3));
        net.AdvanceBlocks(38);
        (await new PaymentSender(net.Gateway, net.Ledger, new PaymentSenderOptions(), net.Clock).CreatePaymentAsync(info, new BigRational(10))).TicketCount.ShouldBe(1);
        net.AdvanceBlocks(1);
        (await Should.ThrowAsync<PaymentException>(() => new PaymentSender(net.Gateway, net.Ledger, new PaymentSenderOptions(), net.Clock).CreatePaymentAsync(info, new BigRational(10))))
            .ParamsExpired.ShouldBeTrue();
    }

    [Fact]
    public async Task Wrong_expected_price()
    {
        var prepared = await PayAsync();
        prepared.Payment.ExpectedPrice = new PriceInfo { PricePerUnit = 2, PixelsPerUnit = 1 }; // params were issued for 3

        await ShouldRejectAsync(await net.Receiver.ProcessPaymentAsync(prepared.Payment, Manifest), "invalid recipientRand");
    }

    [Theory]
    [InlineData(0L, 1L, "pixelsPerUnit must be positive")]
    [InlineData(3L, 0L, "pixelsPerUnit must be positive")]
    [InlineData(-3L, 1L, "pricePerUnit must not be negative")]
    public async Task Invalid_expected_price(long perUnit, long pixels, string message)
    {
        var prepared = await PayAsync();
        prepared.Payment.ExpectedPrice = perUnit == 0 ? null : new PriceInfo { PricePerUnit = perUnit, PixelsPerUnit = pixels };
        if (perUnit == 0)
        {
            await ShouldRejectAsync(await net.Receiver.ProcessPaymentAsync(prepared.Payment, Manifest), "invalid expected price sent with payment");
            return;
        }

        await ShouldRejectAsync(await net.Receiver.ProcessPaymentAsync(prepared.Payment, Manifest), message);
    }

    [Fact]
    public async Task Ticket_EV_above_maxTicketEV_or_total_above_maxTotalEV()
    {
        var info = await net.InfoAsync(new BigRational(3)); // ticket EV = 1e9 wei
        var strict = new PaymentSender(net.Gateway, net.Ledger, new PaymentSenderOptions { MaxTicketEV = "999999999" }, net.Clock);
        (await Should.ThrowAsync<PaymentException>(() => strict.CreatePaymentAsync(info, new BigRational(1))))
            .Message.ShouldContain("exceeds max ticket EV 999999999");

        var ev = TicketParamsOf(new Payment { TicketParams = info.TicketParams, ExpirationParams = info.TicketParams.ExpirationParams }).ExpectedValue;
        var max = (ev * new BigRational(5)).Ceiling();
        var totalCapped = new PaymentSender(net.Gateway, net.Ledger, new PaymentSenderOptions { MaxTotalEV = max.ToString() }, net.Clock);
        (await totalCapped.CreatePaymentAsync(info, ev * new BigRational(5))).TicketCount.ShouldBe(5);
        var error = await Should.ThrowAsync<PaymentException>(() => totalCapped.CreatePaymentAsync(info, ev * new BigRational(5) + new BigRational(1)));
        error.Message.ShouldContain($"for 6 tickets exceeds max total ticket EV {max}");
        totalCapped.Balances.Balance(net.Orchestrator.Address, "session-1").ShouldBe(BigRational.Zero, "a refused payment keeps the credit it reserved");
    }

    [Fact]
    public async Task Face_value_above_deposit_over_multiplier()
    {
        var info = await net.InfoAsync(new BigRational(3)); // face value 1e11
        var sender = new PaymentSender(net.Gateway, net.Ledger, new PaymentSenderOptions { DepositMultiplier = 100_000_000 }, net.Clock);
        (await Should.ThrowAsync<PaymentException>(() => sender.CreatePaymentAsync(info, new BigRational(1))))
            .Message.ShouldContain("exceeds max ticket faceValue 10000000000");
    }

    [Fact]
    public async Task Sender_with_no_deposit()
    {
        using var broke = new PaymentTestNetwork(seed: 9, fund: false);
        // The orchestrator refuses to issue params (its share of the reserve is 0) ...
        (await Should.ThrowAsync<PaymentException>(() => broke.InfoAsync(new BigRational(3)))).Message.ShouldBe(PaymentErrors.InsufficientSenderReserve);

        // ... the gateway refuses to pay with params issued to someone else ...
        var info = await net.InfoAsync(new BigRational(3));
        var poor = new PaymentSender(broke.Gateway, net.Ledger, new PaymentSenderOptions(), net.Clock);
        (await Should.ThrowAsync<PaymentException>(() => poor.CreatePaymentAsync(info, new BigRational(10)))).Message.ShouldContain("no sender reserve");

        // ... and the orchestrator refuses tickets from a sender without funds.
        var forged = await net.Sender.CreatePaymentAsync(info, new BigRational(10));
        var parameters = TicketParamsOf(forged.Payment);
        forged.Payment.Sender = ByteString.CopyFrom(broke.Gateway.Address.Span);
        foreach (var t in forged.Payment.TicketSenderParams)
        {
            t.Sig = ByteString.CopyFrom(broke.Gateway.SignDigest(parameters.TicketFor(broke.Gateway.Address, t.SenderNonce).SignatureDigest()));
        }

        var result = await net.Receiver.ProcessPaymentAsync(forged.Payment, Manifest);
        result.Error.ShouldBe($"sender {broke.Gateway.Address} has no deposit and no reserve");
        net.Receiver.Balance(broke.Gateway.Address, Manifest).ShouldBeNull();
    }

    [Fact]
    public async Task Sender_unlocking_soon()
    {
        await net.Ledger.UnlockAsync(net.Gateway.Address); // withdraw round = current + 2
        net.AdvanceBlocks(1000); // one round later the unlock is one round away: "soon"
        var info = await net.InfoAsync(new BigRational(3));
        var fresh = new PaymentSender(net.Gateway, net.Ledger, new PaymentSenderOptions(), net.Clock);
        (await Should.ThrowAsync<PaymentException>(() => fresh.CreatePaymentAsync(info, new BigRational(10)))).Message.ShouldContain("unlock soon");

        var payment = SignedPayment(info, net.Gateway, 1, 2);
        await ShouldRejectAsync(await net.Receiver.ProcessPaymentAsync(payment, Manifest), $"deposit and reserve for sender {net.Gateway.Address} is set to unlock soon");
    }

    /// <summary>A payment built by hand, bypassing the gateway's own checks.</summary>
    private static Payment SignedPayment(OrchestratorInfo info, EthAccount sender, params uint[] nonces)
    {
        var payment = new Payment
        {
            TicketParams = info.TicketParams,
            Sender = ByteString.CopyFrom(sender.Address.Span),
            ExpirationParams = info.TicketParams.ExpirationParams,
            ExpectedPrice = info.PriceInfo,
        };
        var parameters = TicketParamsOf(payment);
        foreach (var nonce in nonces)
        {
            payment.TicketSenderParams.Add(new TicketSenderParams
            {
                SenderNonce = nonce,
                Sig = ByteString.CopyFrom(sender.SignDigest(parameters.TicketFor(sender.Address, nonce).SignatureDigest())),
            });
        }

        return payment;
    }

    [Theory]
    [InlineData("%%%not base64%%%", "not standard base64")]
    [InlineData("CgQ=", "not a valid net.Payment protobuf")] // field 1, length 4, no bytes follow
    public async Task Malformed_or_truncated_header_is_402(string header, string message)
    {
        await ShouldRejectAsync(await net.Receiver.ProcessHeaderAsync(header, Manifest), message, status: 402);
    }

    [Fact]
    public async Task Truncated_real_header_is_402()
    {
        var prepared = await PayAsync();
        var bytes = Convert.FromBase64String(prepared.Header);
        var truncated = Convert.ToBase64String(bytes[..(bytes.Length - 7)]);
        await ShouldRejectAsync(await net.Receiver.ProcessHeaderAsync(truncated, Manifest), "not a valid net.Payment protobuf", status: 402);
    }

    [Fact]
    public async Task Missing_sender_expiration_params_or_ticket_params()
    {
        var prepared = await PayAsync();
        var noSender = prepared.Payment.Clone();
        noSender.Sender = ByteString.Empty;
        await ShouldRejectAsync(await net.Receiver.ProcessPaymentAsync(noSender, Manifest), PaymentErrors.MissingSender);

        var noExpiration = prepared.Payment.Clone();
        noExpiration.ExpirationParams = null;
        await ShouldRejectAsync(await net.Receiver.ProcessPaymentAsync(noExpiration, Manifest), "missing expiration params");

        var noParams = prepared.Payment.Clone();
        noParams.TicketParams = null;
        await ShouldRejectAsync(await net.Receiver.ProcessPaymentAsync(noParams, Manifest, requiredPrice: new BigRational(3)), "missing ticket params");
    }

    [Fact]
    public async Task Inactive_orchestrator_refuses_payments()
    {
        var prepared = await PayAsync();
        await net.Ledger.RegisterOrchestratorAsync(net.Orchestrator.Address, "https://127.0.0.1:8935", 0);
        await ShouldRejectAsync(await net.Receiver.ProcessPaymentAsync(prepared.Payment, Manifest), "is inactive in round");
    }

    [Fact]
    public async Task Negative_or_absurd_prices_are_refused_before_any_payment()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => PriceInfos.ToPriceInfo(new BigRational(-1)));
        Should.Throw<ArgumentOutOfRangeException>(() => PriceInfos.ToPriceInfo(new BigRational(BigInteger.Pow(10, 30))));
        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => net.Issuer.IssueParamsAsync(net.Gateway.Address, new BigRational(-1)));

        var info = await net.InfoAsync(new BigRational(3));
        info.PriceInfo = new PriceInfo { PricePerUnit = -5, PixelsPerUnit = 1 };
        (await Should.ThrowAsync<PaymentException>(() => net.Sender.CreatePaymentAsync(info, 100L))).Message.ShouldContain("pricePerUnit must not be negative");
        info.PriceInfo = new PriceInfo { PricePerUnit = 5, PixelsPerUnit = 0 };
        (await Should.ThrowAsync<PaymentException>(() => net.Sender.CreatePaymentAsync(info, 100L))).Message.ShouldContain("pixelsPerUnit must be positive");
        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => net.Sender.CreatePaymentAsync(info, new BigRational(-1)));
    }

    private static TicketParameters TicketParamsOf(Payment payment)
    {
        TicketParameters.TryDecode(payment.TicketParams, payment.ExpirationParams, out var parameters, out _).ShouldBeTrue();
        return parameters!;
    }

    public void Dispose() => net.Dispose();
}
