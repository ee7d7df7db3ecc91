using System.Net;
using System.Net.Http.Headers;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Payments;

namespace LivepeerAspire.Orchestrator.Tests;

/// <summary>
/// The orchestrator with ConnectionStrings:ledger set: tickets issued per gateway, validated, credited, debited and
/// redeemed on a real SQLite ledger with 50 ms blocks. Face value is capped at 2 × EV, so each ticket wins with
/// probability 1/2 and a 41-ticket payment all but surely has winners.
/// </summary>
public sealed class OnChainPaymentTests : IAsyncLifetime
{
    private const string Model = "stabilityai/sdxl-turbo";
    private const long Units = 64 * 32 * 2;
    private readonly string dir = Directory.CreateTempSubdirectory("orch-onchain-").FullName;
    private FakeRunner runner = null!;
    private OrchestratorHost orch = null!;
    private SqliteLedger ledger = null!;
    private readonly EthAccount gateway = EthAccount.Generate();

    public async Task InitializeAsync()
    {
        var connection = $"Data Source={Path.Combine(dir, "ledger.db")}";
        ledger = SqliteLedger.Open(connection, new LedgerOptions { BlockTime = TimeSpan.FromMilliseconds(50) });
        await ledger.FundDepositAndReserveAsync(gateway.Address, 1_000_000, 1_000_000);
        runner = await FakeRunner.StartAsync();
        await StartOrchestratorAsync();
    }

    private async Task StartOrchestratorAsync(Dictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:ledger"] = $"Data Source={Path.Combine(dir, "ledger.db")}",
            ["Orchestrator:DataDir"] = Path.Combine(dir, "orch"),
            ["Orchestrator:Stake"] = "10",
            ["Orchestrator:RedemptionInterval"] = "00:00:00.100",
            ["TicketIssuer:TicketEV"] = "100",
            ["TicketIssuer:GasPrice"] = "0",
            ["TicketIssuer:MaxFaceValue"] = "200",
        };
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        orch = await OrchestratorHost.StartAsync(
            $$"""[{"pipeline":"text-to-image","model_id":"{{Model}}","url":"{{runner.Url}}","price_per_unit":1}]""", settings);
        await orch.WaitReadyAsync();
        for (var i = 0; i < 100 && (await ledger.GetActiveOrchestratorsAsync()).Count == 0; i++)
        {
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        await orch.DisposeAsync();
        await runner.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    private async Task<OrchestratorInfo> GetInfoAsync(EthAccount sender)
    {
        var response = await PostGetOrchestratorAsync(sender.Address, MessageSignatures.SignOwnAddress(sender));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return OrchestratorInfo.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
    }

    private async Task<HttpResponseMessage> PostGetOrchestratorAsync(EthAddress? address, byte[]? sig)
    {
        var caps = new Capabilities { Constraints = new Capabilities.Types.Constraints() };
        caps.Bitstring.Add(1UL << 27);
        caps.Capacities[27] = 1;
        var perCap = new Capabilities.Types.CapabilityConstraints();
        perCap.Models[Model] = new Capabilities.Types.CapabilityConstraints.Types.ModelConstraint();
        caps.Constraints.PerCapability[27] = perCap;
        var request = new OrchestratorRequest { Capabilities = caps };
        if (address is { } a)
        {
            request.Address = ByteString.CopyFrom(a.Span);
        }

        if (sig is not null)
        {
            request.Sig = ByteString.CopyFrom(sig);
        }

        var content = new ByteArrayContent(request.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return await orch.Client.PostAsync("/getOrchestrator", content);
    }

    [Fact]
    public async Task GetOrchestrator_refuses_a_request_whose_sig_is_missing_or_not_by_its_address()
    {
        var stranger = EthAccount.Generate();
        var cases = new (EthAddress? Address, byte[]? Sig, string Why)[]
        {
            (null, null, "20-byte ETH address"),
            (gateway.Address, null, "sig is missing"),
            (gateway.Address, MessageSignatures.SignOwnAddress(stranger), "does not verify"),
            (gateway.Address, new byte[65], "does not verify"),
        };
        foreach (var (address, sig, why) in cases)
        {
            var response = await PostGetOrchestratorAsync(address, sig);

            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            var body = await response.Content.ReadAsStringAsync();
            body.ShouldContain(why);
        }

        (await PostGetOrchestratorAsync(gateway.Address, MessageSignatures.SignOwnAddress(gateway))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private Task<HttpResponseMessage> PostJobAsync(string? paymentHeader, string? segmentHeader = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/text-to-image")
        {
            Content = new StringContent($$"""{"prompt":"x","model_id":"{{Model}}","height":64,"width":32,"num_images_per_prompt":2}""", Encoding.UTF8, "application/json"),
        };
        if (paymentHeader is not null)
        {
            request.Headers.Add(PaymentHeader.Name, paymentHeader);
        }

        if (segmentHeader is not null)
        {
            request.Headers.Add(SegmentCredentials.HeaderName, segmentHeader);
        }

        return orch.Client.SendAsync(request);
    }

    private string Segment(OrchestratorInfo info, EthAccount? signer = null, AuthToken? token = null) =>
        SegmentCredentials.CreateHeader(signer ?? gateway, "27_" + Model, info.Capabilities, token ?? info.AuthToken);

    private async Task<JsonElement> PaymentsStatusAsync() =>
        JsonDocument.Parse(await orch.Client.GetStringAsync("/status")).RootElement.GetProperty("payments");

    [Fact]
    public async Task A_paid_job_is_credited_debited_and_its_winning_tickets_are_redeemed_after_the_params_expire()
    {
        var info = await GetInfoAsync(gateway);
        info.TicketParams.ShouldNotBeNull();
        info.TicketParams.Recipient.ToByteArray().ShouldBe(info.Address.ToByteArray());
        var sender = new PaymentSender(gateway, ledger, new PaymentSenderOptions());
        var payment = await sender.CreatePaymentAsync(info, Units);
        payment.TicketCount.ShouldBe(41); // ⌈4096 / 100⌉

        var ok = await PostJobAsync(payment.Header, Segment(info));
        ok.StatusCode.ShouldBe(HttpStatusCode.OK, await ok.Content.ReadAsStringAsync());

        var replay = await PostJobAsync(payment.Header, Segment(info));
        replay.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Errors.DetailAsync(replay)).ShouldBe(PaymentErrors.NonceAlreadySeen);
        runner.Jobs.Count.ShouldBe(1);

        var status = await PaymentsStatusAsync();
        status.GetProperty("mode").GetString().ShouldBe("on-chain");
        status.GetProperty("ticketsReceived").GetInt64().ShouldBe(82);
        status.GetProperty("creditedWei").GetString().ShouldBe(Protocol.Pricing.Fees.ToWeiString(payment.NewCredit));
        status.GetProperty("feesDebitedWei").GetString().ShouldBe("4096");
        var winners = status.GetProperty("winningTickets").GetInt64();
        winners.ShouldBeGreaterThan(0);

        for (var i = 0; i < 300 && (await PaymentsStatusAsync()).GetProperty("ticketsRedeemed").GetInt64() < winners; i++)
        {
            await Task.Delay(100);
        }

        var after = await PaymentsStatusAsync();
        after.GetProperty("ticketsRedeemed").GetInt64().ShouldBe(winners);
        after.GetProperty("pendingRedemptions").GetInt32().ShouldBe(0);
        var redemptions = await ledger.GetRedemptionsAsync();
        redemptions.Count.ShouldBe((int)winners);
        redemptions.Aggregate(BigInteger.Zero, (sum, r) => sum + r.FaceValue).ShouldBe(new BigInteger(200) * winners);
        var funds = await ledger.GetSenderAsync(gateway.Address);
        (funds.Deposit + funds.Reserve).ShouldBe(2_000_000 - 200 * winners);
    }

    [Fact]
    public async Task Winning_tickets_not_yet_redeemed_when_the_orchestrator_stops_are_redeemed_by_its_next_run()
    {
        // This run never gets to redeem: its params outlive it (200 blocks = 10 s) and its redemption round is hours away.
        await orch.DisposeAsync();
        await StartOrchestratorAsync(new()
        {
            ["TicketIssuer:ParamsExpirationBlocks"] = "200",
            ["Orchestrator:RedemptionInterval"] = "01:00:00",
        });
        var info = await GetInfoAsync(gateway);
        var payment = await new PaymentSender(gateway, ledger, new PaymentSenderOptions()).CreatePaymentAsync(info, Units);
        (await PostJobAsync(payment.Header, Segment(info))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var winners = (await PaymentsStatusAsync()).GetProperty("winningTickets").GetInt64();
        winners.ShouldBeGreaterThan(0);
        await orch.DisposeAsync();

        var saved = new WinningTicketFile(Path.Combine(dir, "orch", WinningTicketFile.FileName)).Load();
        saved.Count.ShouldBe((int)winners);
        (await ledger.GetRedemptionsAsync()).ShouldBeEmpty();

        await StartOrchestratorAsync(); // same DataDir, redemption every 100 ms
        (await PaymentsStatusAsync()).GetProperty("pendingRedemptions").GetInt32().ShouldBe((int)winners);
        for (var i = 0; i < 300 && (await ledger.GetRedemptionsAsync()).Count < winners; i++)
        {
            await Task.Delay(100);
        }

        var redemptions = await ledger.GetRedemptionsAsync();
        redemptions.Count.ShouldBe((int)winners);
        redemptions.Select(r => Convert.ToHexString(r.TicketHash)).Order()
            .ShouldBe(saved.Select(t => Convert.ToHexString(t.Ticket.Hash())).Order());
        new WinningTicketFile(Path.Combine(dir, "orch", WinningTicketFile.FileName)).Load().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_payment_of_500_tickets_fits_in_the_request_headers()
    {
        var info = await GetInfoAsync(gateway);
        var sender = new PaymentSender(gateway, ledger, new PaymentSenderOptions());
        var payment = await sender.CreatePaymentAsync(info, new Protocol.Pricing.BigRational(50_000));
        payment.TicketCount.ShouldBe(500);
        payment.Header.Length.ShouldBeGreaterThan(32 * 1024); // Kestrel's default limit

        var response = await PostJobAsync(payment.Header, Segment(info));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Bad_payments_are_refused_with_go_livepeers_status_and_text_and_the_runner_never_sees_them()
    {
        var info = await GetInfoAsync(gateway);
        var sender = new PaymentSender(gateway, ledger, new PaymentSenderOptions());

        var garbage = await PostJobAsync("not base64!");
        garbage.StatusCode.ShouldBe(HttpStatusCode.PaymentRequired);
        (await Errors.DetailAsync(garbage)).ShouldStartWith("invalid Livepeer-Payment header");

        // go-livepeer: an empty payment has the zero sender, so the segment signature check fails first (403).
        var missing = await PostJobAsync(null, Segment(info));
        missing.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Errors.DetailAsync(missing)).ShouldBe("Livepeer-Segment needs a payment sender to verify its signature");

        var noTickets = (await sender.CreatePaymentAsync(info, Units)).Payment;
        noTickets.TicketParams = null;
        noTickets.TicketSenderParams.Clear();
        var noParams = await PostJobAsync(PaymentHeader.Encode(noTickets), Segment(info));
        noParams.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Errors.DetailAsync(noParams)).ShouldStartWith("missing ticket params");

        var underpaid = await sender.CreatePaymentAsync(info, Units);
        underpaid.Payment.ExpectedPrice = new PriceInfo { PricePerUnit = 1, PixelsPerUnit = 2 };
        var cheap = await PostJobAsync(PaymentHeader.Encode(underpaid.Payment), Segment(info));
        cheap.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Errors.DetailAsync(cheap)).ShouldStartWith("invalid expected price sent with payment");

        var negative = await sender.CreatePaymentAsync(info, Units);
        negative.Payment.ExpectedPrice = new PriceInfo { PricePerUnit = -1, PixelsPerUnit = 2 };
        var below = await PostJobAsync(PaymentHeader.Encode(negative.Payment), Segment(info));
        below.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Errors.DetailAsync(below)).ShouldBe("invalid expected price sent with payment err=\"invalid price: pricePerUnit must not be negative, got -1\"");

        var forged = await sender.CreatePaymentAsync(info, Units);
        forged.Payment.TicketSenderParams[0].Sig = ByteString.CopyFrom(new byte[65]);
        var badSig = await PostJobAsync(PaymentHeader.Encode(forged.Payment), Segment(info));
        badSig.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Errors.DetailAsync(badSig)).ShouldBe(PaymentErrors.InvalidSignature);

        // A sender with no deposit gets no params at all (no reserve to back a ticket) and its payment is refused.
        var broke = EthAccount.Generate();
        var brokeInfo = await GetInfoAsync(broke);
        brokeInfo.TicketParams.ShouldBeNull();
        var refused = await Should.ThrowAsync<PaymentException>(() => new PaymentSender(broke, ledger, new PaymentSenderOptions()).CreatePaymentAsync(info, Units));
        refused.Message.ShouldBe("unable to validate sender: no sender reserve");
        var foreign = (await sender.CreatePaymentAsync(info, Units)).Payment;
        foreign.Sender = ByteString.CopyFrom(broke.Address.Span);
        var noFunds = await PostJobAsync(PaymentHeader.Encode(foreign), Segment(info, broke));
        noFunds.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Errors.DetailAsync(noFunds)).ShouldContain("has no deposit and no reserve");

        var wrongSeg = await PostJobAsync((await sender.CreatePaymentAsync(info, Units)).Header, Segment(info, broke));
        wrongSeg.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Errors.DetailAsync(wrongSeg)).ShouldStartWith("invalid Livepeer-Segment signature");

        runner.Jobs.ShouldBeEmpty();
        (await PaymentsStatusAsync()).GetProperty("feesDebitedWei").GetString().ShouldBe("0");
    }

    [Fact]
    public async Task On_chain_a_job_without_Livepeer_Segment_is_refused_before_any_ticket_is_credited()
    {
        var info = await GetInfoAsync(gateway);
        var payment = await new PaymentSender(gateway, ledger, new PaymentSenderOptions()).CreatePaymentAsync(info, Units);

        var response = await PostJobAsync(payment.Header);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Errors.DetailAsync(response)).ShouldStartWith("missing Livepeer-Segment header");
        runner.Jobs.ShouldBeEmpty();
        var status = await PaymentsStatusAsync();
        status.GetProperty("ticketsReceived").GetInt64().ShouldBe(0);
        status.GetProperty("paymentsRefused").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task On_chain_an_auth_token_that_is_missing_foreign_or_tampered_is_refused_before_any_ticket_is_credited()
    {
        var info = await GetInfoAsync(gateway);
        var sender = new PaymentSender(gateway, ledger, new PaymentSenderOptions());
        var foreign = new Discovery.AuthTokenIssuer(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), TimeProvider.System, TimeSpan.FromMinutes(30)).Issue();
        var tampered = info.AuthToken.Clone();
        tampered.Expiration += 3600;

        foreach (var (segment, message) in new[]
        {
            (SegmentCredentials.CreateHeader(gateway, "27_" + Model, info.Capabilities, null), "missing auth token in Livepeer-Segment"),
            (Segment(info, token: foreign), "invalid auth token in Livepeer-Segment: not issued by this orchestrator"),
            (Segment(info, token: tampered), "invalid auth token in Livepeer-Segment: not issued by this orchestrator"),
        })
        {
            var response = await PostJobAsync((await sender.CreatePaymentAsync(info, Units)).Header, segment);
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await Errors.DetailAsync(response)).ShouldStartWith(message);
        }

        runner.Jobs.ShouldBeEmpty();
        (await PaymentsStatusAsync()).GetProperty("ticketsReceived").GetInt64().ShouldBe(0);
    }
}
