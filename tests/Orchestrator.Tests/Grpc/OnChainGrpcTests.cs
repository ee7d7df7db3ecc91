using Google.Protobuf;
using Grpc.Core;
using LivepeerAspire.Orchestrator.Discovery;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Net;

namespace LivepeerAspire.Orchestrator.Tests.Grpc;

/// <summary>An on-chain orchestrator (SQLite ledger) over TLS: the request signature is enforced and answers carry ticket params.</summary>
public sealed class OnChainGrpcTests : IAsyncLifetime
{
    private readonly string dir = Directory.CreateTempSubdirectory("orch-grpc-onchain-").FullName;
    private readonly EthAccount gateway = EthAccount.Generate();
    private FakeRunner runner = null!;
    private OrchestratorHost orch = null!;
    private SqliteLedger ledger = null!;

    public async Task InitializeAsync()
    {
        var connection = $"Data Source={Path.Combine(dir, "ledger.db")}";
        ledger = SqliteLedger.Open(connection, new LedgerOptions { BlockTime = TimeSpan.FromMilliseconds(50) });
        await ledger.FundDepositAndReserveAsync(gateway.Address, 1_000_000, 1_000_000);
        runner = await FakeRunner.StartAsync();
        orch = await OrchestratorHost.StartAsync(
            $$"""[{"pipeline":"text-to-image","model_id":"stabilityai/sdxl-turbo","url":"{{runner.Url}}","price_per_unit":1}]""",
            new()
            {
                ["ConnectionStrings:ledger"] = connection,
                ["Orchestrator:DataDir"] = Path.Combine(dir, "orch"),
                ["Orchestrator:Stake"] = "10",
                ["TicketIssuer:TicketEV"] = "100",
                ["TicketIssuer:GasPrice"] = "0",
                ["TicketIssuer:MaxFaceValue"] = "200",
            },
            url: "https://127.0.0.1:0");
        await orch.WaitReadyAsync();
    }

    public async Task DisposeAsync()
    {
        await orch.DisposeAsync();
        await runner.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task A_signed_request_gets_ticket_params_for_the_gateway_from_the_orchestrators_key()
    {
        var (channel, client) = TlsClients.Grpc(orch.Url);
        using var _ = channel;

        var info = await client.GetOrchestratorAsync(new OrchestratorRequest
        {
            Address = ByteString.CopyFrom(gateway.Address.Span),
            Sig = ByteString.CopyFrom(MessageSignatures.SignOwnAddress(gateway)),
        });

        info.Address.Length.ShouldBe(20);
        info.TicketParams.ShouldNotBeNull();
        info.TicketParams.Recipient.ShouldBe(info.Address);
        info.TicketParams.RecipientRandHash.Length.ShouldBe(32);
        info.TicketParams.ExpirationParams.CreationRound.ShouldBeGreaterThan(0);
        info.Capabilities.Bitstring[0].ShouldBe(1UL << 27);
        info.AuthToken.Token.Length.ShouldBe(32);
    }

    [Fact]
    public async Task A_bad_signature_gets_unknown_with_go_livepeers_message()
    {
        var (channel, client) = TlsClients.Grpc(orch.Url);
        using var _ = channel;
        var other = EthAccount.Generate();

        var error = await Should.ThrowAsync<RpcException>(() => client.GetOrchestratorAsync(new OrchestratorRequest
        {
            Address = ByteString.CopyFrom(gateway.Address.Span),
            Sig = ByteString.CopyFrom(MessageSignatures.SignOwnAddress(other)),
        }).ResponseAsync);

        error.StatusCode.ShouldBe(StatusCode.Unknown);
        error.Status.Detail.ShouldStartWith(OrchestratorRpc.RefusalPrefix);
        error.Status.Detail.ShouldContain(gateway.Address.ToString());
    }

    [Fact]
    public async Task A_19_byte_address_gets_unknown_naming_the_length()
    {
        var (channel, client) = TlsClients.Grpc(orch.Url);
        using var _ = channel;

        var error = await Should.ThrowAsync<RpcException>(() => client.GetOrchestratorAsync(new OrchestratorRequest
        {
            Address = ByteString.CopyFrom(gateway.Address.Span[..19]),
            Sig = ByteString.CopyFrom(MessageSignatures.SignOwnAddress(gateway)),
        }).ResponseAsync);

        error.StatusCode.ShouldBe(StatusCode.Unknown);
        error.Status.Detail.ShouldStartWith(OrchestratorRpc.RefusalPrefix);
        error.Status.Detail.ShouldContain("got 19 bytes");
    }

    [Fact]
    public async Task Ping_answers_the_orchestrators_signature_over_the_value()
    {
        var (channel, client) = TlsClients.Grpc(orch.Url);
        using var _ = channel;
        var info = await client.GetOrchestratorAsync(new OrchestratorRequest
        {
            Address = ByteString.CopyFrom(gateway.Address.Span),
            Sig = ByteString.CopyFrom(MessageSignatures.SignOwnAddress(gateway)),
        });
        var value = "ping 1"u8.ToArray();

        var pong = await client.PingAsync(new PingPong { Value = ByteString.CopyFrom(value) });

        pong.Value.Length.ShouldBe(65);
        MessageSignatures.Verify(new EthAddress(info.Address.Span), value, pong.Value.Span).ShouldBeTrue();
    }
}
