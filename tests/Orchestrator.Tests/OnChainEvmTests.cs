using System.Net;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger.Chain;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Payments;

namespace LivepeerAspire.Orchestrator.Tests;

/// <summary>
/// The orchestrator service with ConnectionStrings:ledger pointing at an EVM dev chain (ganache, 250 ms blocks) that
/// was prepared as the AppHost will prepare it: it issues params from the chain's rounds, and redeems its winners by
/// transactions, paying exactly their face values out of the gateway's funds in the TicketBroker.
/// </summary>
public sealed class OnChainEvmTests : IAsyncLifetime
{
    private const string Model = "stabilityai/sdxl-turbo";
    private const long Units = 64 * 32 * 2;
    private readonly string dir = Directory.CreateTempSubdirectory("orch-evm-").FullName;
    private DevChain chain = null!;
    private ChainConnection connection = null!;
    private FakeRunner runner = null!;
    private OrchestratorHost orch = null!;
    private EthAccount gateway = null!;

    public async Task InitializeAsync()
    {
        chain = await DevChain.StartAsync(TimeSpan.FromMilliseconds(250));
        connection = await ChainDeployer.PrepareFromDataDirsAsync(chain.Endpoint, new ChainParameters(),
            [(Path.Combine(dir, "orch"), "https://127.0.0.1:8935", BigInteger.Pow(10, 19))], Path.Combine(dir, "gateway"), 1_000_000, 1_000_000);
        gateway = EthAccount.LoadOrCreate(Path.Combine(dir, "gateway"));
        runner = await FakeRunner.StartAsync();
        orch = await OrchestratorHost.StartAsync(
            $$"""[{"pipeline":"text-to-image","model_id":"{{Model}}","url":"{{runner.Url}}","price_per_unit":1}]""",
            new Dictionary<string, string?>
            {
                ["ConnectionStrings:ledger"] = connection.ToString(),
                ["Orchestrator:DataDir"] = Path.Combine(dir, "orch"),
                ["Orchestrator:RedemptionInterval"] = "00:00:00.100",
                ["TicketIssuer:TicketEV"] = "100",
                ["TicketIssuer:GasPrice"] = "0",
                ["TicketIssuer:MaxFaceValue"] = "200",
                // 5 s of 250 ms blocks: long enough that a busy machine still pays before the params expire, short enough
                // that the winners are redeemed (after expiry) within the test.
                ["TicketIssuer:ParamsExpirationBlocks"] = "20",
            });
        await orch.WaitReadyAsync();
    }

    public async Task DisposeAsync()
    {
        if (orch is not null)
        {
            await orch.DisposeAsync();
        }

        if (runner is not null)
        {
            await runner.DisposeAsync();
        }

        if (chain is not null)
        {
            await chain.DisposeAsync(); // kills ganache by its PID, also after a failed start-up or test
        }

        Directory.Delete(dir, recursive: true);
    }

    private async Task<JsonElement> PaymentsStatusAsync() =>
        JsonDocument.Parse(await orch.Client.GetStringAsync("/status")).RootElement.GetProperty("payments");

    [Fact]
    public async Task A_paid_job_on_the_chain_is_credited_and_its_winners_are_redeemed_by_transactions()
    {
        var gatewayLedger = new ChainLedger(connection, gateway);
        var head = await gatewayLedger.GetHeadAsync();
        var caps = new Capabilities { Constraints = new Capabilities.Types.Constraints() };
        caps.Bitstring.Add(1UL << 27);
        caps.Capacities[27] = 1;
        var perCap = new Capabilities.Types.CapabilityConstraints();
        perCap.Models[Model] = new Capabilities.Types.CapabilityConstraints.Types.ModelConstraint();
        caps.Constraints.PerCapability[27] = perCap;
        var request = new OrchestratorRequest
        {
            Capabilities = caps,
            Address = ByteString.CopyFrom(gateway.Address.Span),
            Sig = ByteString.CopyFrom(MessageSignatures.SignOwnAddress(gateway)),
        };
        var content = new ByteArrayContent(request.ToByteArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
        var reply = await orch.Client.PostAsync("/getOrchestrator", content);
        reply.StatusCode.ShouldBe(HttpStatusCode.OK);
        var info = OrchestratorInfo.Parser.ParseFrom(await reply.Content.ReadAsByteArrayAsync());

        // The params carry the chain's last initialised round and the block hash RoundsManager stored for it.
        info.TicketParams.ExpirationParams.CreationRound.ShouldBe(head.LastInitializedRound);
        info.TicketParams.ExpirationParams.CreationRoundBlockHash.ToByteArray().ShouldBe(head.LastInitializedRoundBlockHash);

        var payment = await new PaymentSender(gateway, gatewayLedger, new PaymentSenderOptions()).CreatePaymentAsync(info, Units);
        var job = new HttpRequestMessage(HttpMethod.Post, "/text-to-image")
        {
            Content = new StringContent($$"""{"prompt":"x","model_id":"{{Model}}","height":64,"width":32,"num_images_per_prompt":2}""", Encoding.UTF8, "application/json"),
        };
        job.Headers.Add(PaymentHeader.Name, payment.Header);
        job.Headers.Add(SegmentCredentials.HeaderName, SegmentCredentials.CreateHeader(gateway, "27_" + Model, info.Capabilities, info.AuthToken));
        var ok = await orch.Client.SendAsync(job);
        ok.StatusCode.ShouldBe(HttpStatusCode.OK, await ok.Content.ReadAsStringAsync());

        var winners = (await PaymentsStatusAsync()).GetProperty("winningTickets").GetInt64();
        winners.ShouldBeGreaterThan(0);
        for (var i = 0; i < 300 && (await PaymentsStatusAsync()).GetProperty("ticketsRedeemed").GetInt64() < winners; i++)
        {
            await Task.Delay(100);
        }

        var after = await PaymentsStatusAsync();
        after.GetProperty("ticketsRedeemed").GetInt64().ShouldBe(winners, after.ToString());
        after.GetProperty("failedRedemptions").GetInt64().ShouldBe(0);
        var funds = await gatewayLedger.GetSenderAsync(gateway.Address);
        (funds.Deposit + funds.Reserve).ShouldBe(2_000_000 - 200 * winners);
        var broker = (await new Nethereum.Web3.Web3(chain.Endpoint.AbsoluteUri).Eth.GetBalance.SendRequestAsync(connection.TicketBroker.ToLowerHex())).Value;
        broker.ShouldBe(new BigInteger(2_000_000 - 200 * winners));
    }
}
