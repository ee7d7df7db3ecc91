using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Numerics;
using System.Text.Json;
using Google.Protobuf;
using LivepeerAspire.Network.Tests.Support;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Payments;
using Microsoft.Data.Sqlite;
using static LivepeerAspire.Network.Tests.Support.GatewayResponses;

namespace LivepeerAspire.Network.Tests.Payments;

/// <summary>
/// Paid jobs through the real processes: the gateway pays each with tickets, orchestrators credit, debit and redeem
/// their winners on the shared ledger once the params expire, and the ledger reconciles exactly.
/// </summary>
[Collection(PaymentsNetwork.Name)]
public sealed class PaymentsNetworkTests(PaymentsNetworkFixture network)
{
    private const string ImageModel = "SG161222/RealVisXL_V4.0_Lightning";
    private const string LlmModel = "meta-llama/Meta-Llama-3.1-8B-Instruct";
    private const string SpeechModel = "parler-tts/parler-tts-large-v1";
    private const string SpeechText = "Paid speech.";
    private const int MaxTokens = 40;

    /// <summary>Wei per unit by (orchestrator, pipeline), as in payments.json.</summary>
    private static readonly Dictionary<(string, string), long> Prices = new()
    {
        [("o1", "text-to-image")] = 10_000,
        [("o2", "text-to-image")] = 12_000,
        [("o2", "llm")] = 100_000_000,
        [("o3", "llm")] = 90_000_000,
        [("o3", "text-to-speech")] = 100_000_000,
    };

    private static readonly Dictionary<string, long> Units = new()
    {
        ["text-to-image"] = 512 * 512,   // the gateway's default size, 1 image
        ["llm"] = MaxTokens,
        ["text-to-speech"] = SpeechText.Length, // UTF-8 bytes
    };

    private async Task<JsonElement> StatusAsync(string orchestrator)
    {
        using var client = network.CreateClient(network.OrchestratorUrls[orchestrator]);
        return JsonDocument.Parse(await client.GetStringAsync("/status")).RootElement.Clone();
    }

    private static BigInteger Wei(JsonElement payments, string name) => BigInteger.Parse(payments.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);

    private SqliteLedger OpenLedger() => SqliteLedger.Open(network.LedgerConnection);

    private static (string Route, string Body) JobFor(string pipeline, int i) => pipeline switch
    {
        "text-to-image" => ("/text-to-image", $$"""{"model_id":"{{ImageModel}}","prompt":"a paid picture {{i}}"}"""),
        "llm" => ("/llm", $$"""{"model":"{{LlmModel}}","messages":[{"role":"user","content":"paid question {{i}}"}],"max_tokens":{{MaxTokens}},"stream":false}"""),
        _ => ("/text-to-speech", $$"""{"model_id":"{{SpeechModel}}","text":"{{SpeechText}}"}"""),
    };

    [Fact]
    public async Task A_batch_of_paid_jobs_reconciles_exactly_on_the_ledger_once_every_winner_is_redeemed()
    {
        var names = network.OrchestratorUrls.Keys.Order().ToList();
        var before = new Dictionary<string, JsonElement>();
        foreach (var name in names)
        {
            before[name] = await StatusAsync(name);
        }

        var pipelines = Enumerable.Repeat("text-to-image", 16).Concat(Enumerable.Repeat("llm", 12)).Concat(Enumerable.Repeat("text-to-speech", 6)).ToList();
        var served = new ConcurrentBag<(string Orchestrator, string Pipeline, BigInteger Fee)>();
        using var client = network.CreateClient();
        await Parallel.ForEachAsync(pipelines.Select((p, i) => (p, i)), new ParallelOptions { MaxDegreeOfParallelism = 3 }, async (job, ct) =>
        {
            var (route, body) = JobFor(job.p, job.i);
            using var response = await client.PostAsync(route, Json(body), ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{route}: {text}");
            var fee = BigInteger.Parse(response.Headers.GetValues("Livepeer-Fee").Single(), CultureInfo.InvariantCulture);
            served.Add((network.OrchestratorName(response.Orchestrator()), job.p, fee));
        });

        // Every fee is exactly units × the serving orchestrator's price.
        foreach (var (orchestrator, pipeline, fee) in served)
        {
            fee.ShouldBe(new BigInteger(Units[pipeline]) * Prices[(orchestrator, pipeline)], $"{pipeline} on {orchestrator}");
        }

        // Winners are queued at once and redeemed once their params expire.
        var after = await LedgerReconciliation.AfterRedemptionsAsync(async () =>
        {
            var statuses = new Dictionary<string, JsonElement>();
            foreach (var name in names)
            {
                statuses[name] = await StatusAsync(name);
            }

            return statuses;
        });

        var ledger = OpenLedger();
        var gateway = EthAccount.LoadOrCreate(network.GatewayDataDir);
        var redemptions = (await ledger.GetRedemptionsAsync()).Where(r => r.Sender == gateway.Address).ToList();
        var funds = await ledger.GetSenderAsync(gateway.Address);
        var (funded, withdrawn) = await ledger.GetSenderTotalsAsync(gateway.Address);
        var spent = funded - withdrawn - funds.Deposit - funds.Reserve;

        // The gateway's deposit and reserve went down by exactly the face value of the redeemed tickets, each paid in full, once.
        var faceValues = redemptions.Aggregate(BigInteger.Zero, (sum, r) => sum + r.FaceValue);
        spent.ShouldBe(faceValues);
        redemptions.Aggregate(BigInteger.Zero, (sum, r) => sum + r.FromDeposit + r.FromReserve).ShouldBe(faceValues);
        redemptions.Select(r => Convert.ToHexString(r.TicketHash)).Distinct().Count().ShouldBe(redemptions.Count);
        redemptions.Count.ShouldBeGreaterThan(0, "about one ticket in four wins; 34 jobs send about a hundred tickets");

        var totalWinners = 0L;
        foreach (var name in names)
        {
            var status = after[name];
            var payments = status.GetProperty("payments");
            var address = EthAddress.Parse(status.GetProperty("address").GetString()!);
            var mine = redemptions.Where(r => r.Recipient == address).ToList();
            var redeemedFace = mine.Aggregate(BigInteger.Zero, (sum, r) => sum + r.FaceValue);

            // Everything that won was redeemed, and what the orchestrator says it redeemed is what the ledger paid it.
            payments.GetProperty("pendingRedemptions").GetInt32().ShouldBe(0, name);
            payments.GetProperty("failedRedemptions").GetInt64().ShouldBe(0, name);
            var winners = payments.GetProperty("winningTickets").GetInt64();
            payments.GetProperty("ticketsRedeemed").GetInt64().ShouldBe(winners, name);
            mine.Count.ShouldBe((int)winners, name);
            Wei(payments, "redeemedFaceValueWei").ShouldBe(redeemedFace, name);
            (await ledger.GetOrchestratorAsync(address))!.FeesEarned.ShouldBe(redeemedFace, name);
            totalWinners += winners;

            // Expected earnings (sum of the EV of the credited tickets) agree with the redemptions within 4 standard
            // deviations of the binomial number of winners (+1 ticket for rounding).
            var credited = (double)Wei(payments, "creditedWei");
            if (mine.Count > 0)
            {
                var faceValue = (double)mine[0].FaceValue;
                mine.ShouldAllBe(r => r.FaceValue == mine[0].FaceValue);
                var ev = 1e9;
                var tickets = credited / ev;
                var p = ev / faceValue;
                var bound = faceValue * ((4 * Math.Sqrt(tickets * p * (1 - p))) + 1);
                Math.Abs((double)redeemedFace - credited).ShouldBeLessThanOrEqualTo(bound, $"{name}: {tickets} tickets, {mine.Count} winners");
            }

            // No double charge: each job served was debited once, at its fee.
            var jobsHere = served.Where(s => s.Orchestrator == name).ToList();
            (status.GetProperty("jobsServed").GetInt64() - before[name].GetProperty("jobsServed").GetInt64()).ShouldBe(jobsHere.Count, name);
            (Wei(payments, "feesDebitedWei") - Wei(before[name].GetProperty("payments"), "feesDebitedWei"))
                .ShouldBe(jobsHere.Aggregate(BigInteger.Zero, (sum, s) => sum + s.Fee), name);

            // The orchestrator was paid at least what it charged: credit covers the fees.
            ((BigInteger)credited).ShouldBeGreaterThanOrEqualTo(Wei(payments, "feesDebitedWei"), name);
        }

        totalWinners.ShouldBe(redemptions.Count);
    }

    [Fact]
    public async Task A_payment_header_replayed_straight_to_an_orchestrator_is_rejected_with_invalid_ticket_senderNonce()
    {
        var gateway = EthAccount.LoadOrCreate(network.GatewayDataDir);
        var ledger = OpenLedger();
        using var o3 = network.CreateClient(network.OrchestratorUrls["o3"]);
        var info = await GetOrchestratorAsync(o3, gateway, (uint)Protocol.Pipelines.PipelineCatalog.TextToSpeech.CapabilityId, SpeechModel);
        info.TicketParams.ShouldNotBeNull();
        var sender = new PaymentSender(gateway, ledger, new PaymentSenderOptions());
        var payment = await sender.CreatePaymentAsync(info, SpeechText.Length);
        payment.TicketCount.ShouldBeGreaterThan(0);

        // On-chain orchestrators require go-livepeer's segment credentials: signed by the payer, with o3's auth token.
        var segment = SegmentCredentials.CreateHeader(gateway, Protocol.Pipelines.PipelineCatalog.TextToSpeech.ManifestId(SpeechModel), info.Capabilities, info.AuthToken);
        using var first = await o3.SendAsync(SpeechJob(payment.Header, segment));
        first.StatusCode.ShouldBe(HttpStatusCode.OK, await first.Content.ReadAsStringAsync());

        using var replay = await o3.SendAsync(SpeechJob(payment.Header, segment));
        replay.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await replay.DetailMessageAsync()).ShouldBe("invalid ticket senderNonce: already seen");

        var truncated = payment.Header[..(payment.Header.Length / 2)];
        using var broken = await o3.SendAsync(SpeechJob(truncated, segment));
        broken.StatusCode.ShouldBe(HttpStatusCode.PaymentRequired);
        (await broken.DetailMessageAsync()).ShouldStartWith("invalid Livepeer-Payment header");

        using var unsigned = await o3.SendAsync(SpeechJob(payment.Header, null));
        unsigned.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await unsigned.DetailMessageAsync()).ShouldStartWith("missing Livepeer-Segment header");

        // No payment at all: go-livepeer's zero sender fails the segment signature check first.
        using var unpaid = await o3.SendAsync(SpeechJob(null, segment));
        unpaid.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await unpaid.DetailMessageAsync()).ShouldBe("Livepeer-Segment needs a payment sender to verify its signature");
    }

    [Fact]
    public async Task A_gateway_without_deposit_answers_503_saying_it_cannot_pay_and_which_address_to_fund()
    {
        var dataDir = Directory.CreateTempSubdirectory("unfunded-gateway-").FullName;
        var port = FreePort();
        var dll = Path.Combine(TopologyNetworkFixture.FindRepositoryRoot(), "Gateway", "bin", TopologyNetworkFixture.BuildConfiguration, "net10.0", "Gateway.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__ledger"] = network.LedgerConnection;
        start.Environment["Payments__DataDir"] = dataDir;
        start.Environment["Discovery__Source"] = "ledger";
        start.Environment["Discovery__Timeout"] = "00:00:05";
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = network.CreateClient($"http://127.0.0.1:{port}");
            for (var i = 0; i < 600 && !await HealthyAsync(client); i++)
            {
                process.HasExited.ShouldBeFalse("the unfunded gateway exited at start-up");
                await Task.Delay(100);
            }

            using var response = await client.PostAsync("/text-to-image", Json($$"""{"model_id":"{{ImageModel}}","prompt":"unpaid"}"""));
            var message = await response.DetailMessageAsync();

            response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, message);
            var address = EthAccount.LoadOrCreate(dataDir).Address.ToString();
            message.ShouldContain($"gateway {address} cannot pay");
            message.ShouldContain("fund its deposit and reserve");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static HttpRequestMessage SpeechJob(string? paymentHeader, string? segmentHeader)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/text-to-speech") { Content = Json($$"""{"model_id":"{{SpeechModel}}","text":"{{SpeechText}}"}""") };
        if (paymentHeader is not null)
        {
            request.Headers.Add(PaymentHeader.Name, paymentHeader);
        }

        if (segmentHeader is not null)
        {
            request.Headers.Add(SegmentCredentials.HeaderName, segmentHeader);
        }

        return request;
    }

    private static async Task<OrchestratorInfo> GetOrchestratorAsync(HttpClient orchestrator, EthAccount sender, uint capability, string model)
    {
        var caps = new Capabilities { Constraints = new Capabilities.Types.Constraints() };
        caps.Bitstring.Add(1UL << (int)capability);
        caps.Capacities[capability] = 1;
        var perCap = new Capabilities.Types.CapabilityConstraints();
        perCap.Models[model] = new Capabilities.Types.CapabilityConstraints.Types.ModelConstraint();
        caps.Constraints.PerCapability[capability] = perCap;
        var content = new ByteArrayContent(new OrchestratorRequest
        {
            Address = ByteString.CopyFrom(sender.Address.Span),
            Sig = ByteString.CopyFrom(MessageSignatures.SignOwnAddress(sender)),
            Capabilities = caps,
        }.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await orchestrator.PostAsync("/getOrchestrator", content);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return OrchestratorInfo.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
    }

    private static async Task<bool> HealthyAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("/health");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
