using System.Numerics;
using LivepeerAspire.Protocol.Payments;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Protocol.Tests.Payments;

/// <summary>Gateway → header → orchestrator, in-process against a real ledger file.</summary>
public sealed class PaymentFlowTests : IDisposable
{
    private readonly PaymentTestNetwork net = new();

    [Fact]
    public async Task Tickets_cover_the_fee_and_the_orchestrator_credits_their_EV()
    {
        var info = await net.InfoAsync(new BigRational(1, 3));
        var units = 512L * 512;
        var fee = Fees.Fee(units, info.PriceInfo);
        fee.ShouldBe(new BigRational(units, 3));

        var prepared = await net.Sender.CreatePaymentAsync(info, units);

        var ev = TicketMath.ExpectedValue(BigEndian.ToBigInteger(info.TicketParams.FaceValue.Span), BigEndian.ToBigInteger(info.TicketParams.WinProb.Span));
        var expectedTickets = (int)((fee > ev ? fee : ev) / ev).Ceiling();
        prepared.TicketCount.ShouldBe(expectedTickets);
        prepared.Payment.TicketSenderParams.Select(t => t.SenderNonce).ShouldBe(Enumerable.Range(1, expectedTickets).Select(i => (uint)i));
        prepared.Payment.ExpectedPrice.ShouldBe(info.PriceInfo);
        prepared.Payment.ExpirationParams.ShouldBe(info.TicketParams.ExpirationParams);

        var result = await net.Receiver.ProcessHeaderAsync(prepared.Header, PaymentTestNetwork.ManifestId, PriceInfos.ToRational(info.PriceInfo));

        result.Error.ShouldBeNull();
        result.Accepted.ShouldBeTrue();
        result.CreditedTickets.ShouldBe(expectedTickets);
        result.Credit.ShouldBe(ev * new BigRational(expectedTickets));
        net.Receiver.Balance(net.Gateway.Address, PaymentTestNetwork.ManifestId).ShouldBe(result.Credit);
        net.Receiver.SufficientBalance(net.Gateway.Address, PaymentTestNetwork.ManifestId).ShouldBeTrue();

        net.Receiver.DebitFees(net.Gateway.Address, PaymentTestNetwork.ManifestId, prepared.Payment.ExpectedPrice, units);
        net.Receiver.Balance(net.Gateway.Address, PaymentTestNetwork.ManifestId).ShouldBe(result.Credit - fee);
        net.Sender.Complete(prepared, PaymentSettlement.Succeeded);
        net.Sender.Balances.Balance(net.Orchestrator.Address, "session-1").ShouldBe(result.Credit - fee);
    }

    [Fact]
    public async Task The_sender_stops_at_the_600_nonces_an_orchestrator_accepts_per_params_and_gives_the_credit_back()
    {
        var info = await net.InfoAsync(new BigRational(7));
        var ev = TicketMath.ExpectedValue(BigEndian.ToBigInteger(info.TicketParams.FaceValue.Span), BigEndian.ToBigInteger(info.TicketParams.WinProb.Span));
        var first = await net.Sender.CreatePaymentAsync(info, ev * new BigRational(599));
        first.Payment.TicketSenderParams.Last().SenderNonce.ShouldBe(599u);
        net.Sender.NoncesLeft(info.TicketParams).ShouldBe(1);
        net.Sender.Complete(first, PaymentSettlement.Succeeded);
        var credit = net.Sender.Balances.Balance(net.Orchestrator.Address, "session-1");

        var e = await Should.ThrowAsync<PaymentException>(() => net.Sender.CreatePaymentAsync(info, ev * new BigRational(3)));

        e.ParamsExhausted.ShouldBeTrue();
        net.Sender.Balances.Balance(net.Orchestrator.Address, "session-1").ShouldBe(credit);
        var last = await net.Sender.CreatePaymentAsync(info, ev);
        last.Payment.TicketSenderParams.Single().SenderNonce.ShouldBe(600u);
        net.Sender.NoncesLeft(info.TicketParams).ShouldBe(0);
    }

    [Fact]
    public async Task A_single_payment_of_more_than_600_tickets_is_refused_with_what_to_change()
    {
        var info = await net.InfoAsync(new BigRational(7));
        var ev = TicketMath.ExpectedValue(BigEndian.ToBigInteger(info.TicketParams.FaceValue.Span), BigEndian.ToBigInteger(info.TicketParams.WinProb.Span));

        var e = await Should.ThrowAsync<PaymentException>(() => net.Sender.CreatePaymentAsync(info, ev * new BigRational(601)));

        e.ParamsExhausted.ShouldBeFalse();
        e.Message.ShouldContain("601 tickets exceeds the 600 sender nonces");
        net.Sender.NoncesLeft(info.TicketParams).ShouldBe(600);
    }

    [Fact]
    public async Task Later_payments_use_remaining_credit_and_continue_the_nonces()
    {
        var info = await net.InfoAsync(new BigRational(7));
        var ev = TicketMath.ExpectedValue(BigEndian.ToBigInteger(info.TicketParams.FaceValue.Span), BigEndian.ToBigInteger(info.TicketParams.WinProb.Span));
        // A fee of 2.5 EV buys 3 tickets and leaves half an EV of credit.
        var fee = ev * new BigRational(5, 2);
        var first = await net.Sender.CreatePaymentAsync(info, fee);
        first.TicketCount.ShouldBe(3);
        (await net.Receiver.ProcessPaymentAsync(first.Payment, PaymentTestNetwork.ManifestId)).Accepted.ShouldBeTrue();
        net.Sender.Complete(first, PaymentSettlement.Succeeded);

        var second = await net.Sender.CreatePaymentAsync(info, fee);
        second.ExistingCredit.ShouldBe(ev / new BigRational(2));
        second.TicketCount.ShouldBe(2); // ⌈(2.5 − 0.5) EV / EV⌉
        second.Payment.TicketSenderParams.Select(t => t.SenderNonce).ShouldBe(new uint[] { 4, 5 });
        (await net.Receiver.ProcessPaymentAsync(second.Payment, PaymentTestNetwork.ManifestId)).Accepted.ShouldBeTrue();

        // Enough credit: no tickets, only sender and expected_price matter.
        net.Sender.Complete(second, PaymentSettlement.Succeeded);
        net.Sender.Balances.Credit(net.Orchestrator.Address, "session-1", ev * new BigRational(10));
        var third = await net.Sender.CreatePaymentAsync(info, fee);
        third.TicketCount.ShouldBe(0);
        third.Payment.TicketSenderParams.ShouldBeEmpty();
    }

    [Fact]
    public async Task Failed_requests_settle_as_documented()
    {
        var info = await net.InfoAsync(new BigRational(7));
        var fee = new BigRational(100);
        var prepared = await net.Sender.CreatePaymentAsync(info, fee);
        net.Sender.Complete(prepared, PaymentSettlement.Spent);
        net.Sender.Balances.Balance(net.Orchestrator.Address, "session-1").ShouldBe(BigRational.Zero);

        net.Sender.Balances.Credit(net.Orchestrator.Address, "session-1", new BigRational(40));
        var undelivered = await net.Sender.CreatePaymentAsync(info, fee);
        undelivered.ExistingCredit.ShouldBe(new BigRational(40));
        net.Sender.Complete(undelivered, PaymentSettlement.NotDelivered);
        net.Sender.Balances.Balance(net.Orchestrator.Address, "session-1").ShouldBe(new BigRational(40));
    }

    [Fact]
    public async Task Zero_price_params_carry_no_value_and_need_no_tickets()
    {
        var info = await net.InfoAsync(BigRational.Zero);
        info.TicketParams.FaceValue.IsEmpty.ShouldBeTrue();
        info.TicketParams.WinProb.IsEmpty.ShouldBeTrue();
        var prepared = await net.Sender.CreatePaymentAsync(info, BigRational.Zero);
        prepared.TicketCount.ShouldBe(0);
        var result = await net.Receiver.ProcessPaymentAsync(prepared.Payment, PaymentTestNetwork.ManifestId);
        result.Accepted.ShouldBeTrue();
        result.Credit.ShouldBe(BigRational.Zero);
    }

    [Fact]
    public async Task Issued_params_follow_go_livepeer()
    {
        var head = await net.Ledger.GetHeadAsync();
        var info = await net.InfoAsync(new BigRational(5, 2));
        var p = info.TicketParams;
        new LivepeerAspire.Protocol.Eth.EthAddress(p.Recipient.Span).ShouldBe(net.Orchestrator.Address);
        BigEndian.ToBigInteger(p.ExpirationBlock.Span).ShouldBe(new BigInteger(head.BlockNumber + 40));
        p.ExpirationParams.CreationRound.ShouldBe(head.LastInitializedRound);
        p.ExpirationParams.CreationRoundBlockHash.ToByteArray().ShouldBe(head.LastInitializedRoundBlockHash);
        p.Seed.Length.ShouldBeGreaterThan(0);
        p.RecipientRandHash.Length.ShouldBe(32);
        // gas price 0 → face value = 100 × ticketEV; win probability per §4.3
        var faceValue = BigEndian.ToBigInteger(p.FaceValue.Span);
        faceValue.ShouldBe(net.Issuer.TicketEV * 100);
        BigEndian.ToBigInteger(p.WinProb.Span).ShouldBe(TicketMath.WinProb(faceValue, net.Issuer.TicketEV));

        var again = await net.InfoAsync(new BigRational(5, 2));
        again.TicketParams.Seed.ShouldNotBe(p.Seed);
        again.TicketParams.RecipientRandHash.ShouldNotBe(p.RecipientRandHash);
    }

    [Fact]
    public async Task Face_value_follows_the_redemption_gas_cost_and_the_caps()
    {
        using var withGas = new PaymentTestNetwork(seed: 2, issuerOptions: new TicketIssuerOptions { GasPrice = "1000000000", RedeemGas = 1_200_000, TicketEV = "1000000000" });
        var info = await withGas.InfoAsync(new BigRational(1));
        // txCost = 1.2M gas × 1 gwei = 1.2e15; × 100 = 1.2e17, below the sender's reserve share (1 ETH / 1 orchestrator)
        BigEndian.ToBigInteger(info.TicketParams.FaceValue.Span).ShouldBe(BigInteger.Parse("120000000000000000"));

        using var capped = new PaymentTestNetwork(seed: 3, issuerOptions: new TicketIssuerOptions { GasPrice = "0", TicketEV = "1000000000", MaxFaceValue = "50000000000" });
        var cappedInfo = await capped.InfoAsync(new BigRational(1));
        BigEndian.ToBigInteger(cappedInfo.TicketParams.FaceValue.Span).ShouldBe(new BigInteger(50_000_000_000));
    }

    [Fact]
    public async Task OrchestratorPayments_wires_issuer_receiver_and_redemptions_together()
    {
        var payments = OrchestratorPayments.Create(net.Orchestrator, net.Ledger, new TicketIssuerOptions { GasPrice = "0", TicketEV = "1000000000" }, net.Clock, random: new Random(3));
        var price = PriceInfos.ToPriceInfo(new BigRational(9), 33, "llm-model");
        var info = new Net.OrchestratorInfo
        {
            PriceInfo = price,
            TicketParams = await payments.Issuer.IssueParamsAsync(net.Gateway.Address, price),
            AuthToken = new Net.AuthToken { SessionId = "x" },
        };
        var prepared = await net.Sender.CreatePaymentAsync(info, 1000L);
        var result = await payments.Receiver.ProcessHeaderAsync(prepared.Header, "33_llm-model", new BigRational(9));
        result.Accepted.ShouldBeTrue(result.Error);
        payments.Receiver.SufficientBalance(net.Gateway.Address, "33_llm-model").ShouldBeTrue();
        payments.Receiver.TicketsReceived.ShouldBe(prepared.TicketCount);
        // The receiver of the test network has another secret: it must refuse these params.
        (await net.Receiver.ProcessHeaderAsync(prepared.Header, "33_llm-model")).Error.ShouldBe(PaymentErrors.InvalidRecipientRand);
    }

    public void Dispose() => net.Dispose();
}
