using System.Numerics;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Payments;

namespace LivepeerAspire.Protocol.Tests.Ledger;

public sealed class SqliteLedgerTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "lpa-ledger-" + Guid.NewGuid().ToString("N"));
    private readonly ManualTimeProvider clock = new();
    private readonly SqliteLedger ledger;
    private readonly EthAccount gateway;
    private readonly EthAccount orchestrator;
    private readonly Random random = new(40);

    public SqliteLedgerTests()
    {
        Directory.CreateDirectory(directory);
        ledger = Open(new LedgerOptions { BlockTime = TimeSpan.FromSeconds(2), RoundLength = 100, InitialBlock = 1000, UnlockPeriod = 2 });
        gateway = new EthAccount(Eth.EthPrimitivesVectorTests.RandomKey(random));
        orchestrator = new EthAccount(Eth.EthPrimitivesVectorTests.RandomKey(random));
    }

    private string ConnectionString => $"Data Source={Path.Combine(directory, "ledger.db")}";

    private SqliteLedger Open(LedgerOptions options) => SqliteLedger.Open(ConnectionString, options, clock);

    [Fact]
    public async Task Blocks_and_rounds_advance_with_time_and_every_process_sees_the_same_chain()
    {
        var head = await ledger.GetHeadAsync();
        head.BlockNumber.ShouldBe(1000);
        head.CurrentRound.ShouldBe(10);
        head.LastInitializedRound.ShouldBe(10);
        head.LastInitializedRoundBlockHash.ShouldBe(ledger.BlockHash(1000));

        clock.Advance(TimeSpan.FromSeconds(201)); // 100 blocks and a half
        head = await ledger.GetHeadAsync();
        head.BlockNumber.ShouldBe(1100);
        head.CurrentRound.ShouldBe(11);
        ledger.BlockHashForRound(12).ShouldBe(new byte[32], "a round that has not started has no block hash");
        ledger.BlockHashForRound(11).ShouldNotBe(ledger.BlockHashForRound(10));

        // A second process opening the file with other options uses the stored chain.
        var other = Open(new LedgerOptions { BlockTime = TimeSpan.FromSeconds(99), RoundLength = 7, InitialBlock = 5 });
        var otherHead = await other.GetHeadAsync();
        otherHead.BlockNumber.ShouldBe(head.BlockNumber);
        otherHead.BlockHash.ShouldBe(head.BlockHash);
        other.Parameters.RoundLength.ShouldBe(100);
    }

    [Fact]
    public async Task Fund_unlock_and_withdraw_follow_the_unlock_period()
    {
        await ledger.FundDepositAndReserveAsync(gateway.Address, 700, 300);
        (await ledger.GetSenderAsync(gateway.Address)).ShouldBe(new SenderInfo(700, 300, 0));
        (await Should.ThrowAsync<LedgerException>(() => ledger.WithdrawAsync(gateway.Address))).Message.ShouldBe("no unlock request in progress");

        var unlocking = await ledger.UnlockAsync(gateway.Address);
        unlocking.WithdrawRound.ShouldBe(12);
        (await Should.ThrowAsync<LedgerException>(() => ledger.WithdrawAsync(gateway.Address))).Message.ShouldBe("account is locked");
        await ledger.CancelUnlockAsync(gateway.Address);
        await ledger.UnlockAsync(gateway.Address);

        clock.Advance(TimeSpan.FromSeconds(2 * 200));
        (await ledger.WithdrawAsync(gateway.Address)).ShouldBe(new BigInteger(1000));
        (await ledger.GetSenderAsync(gateway.Address)).ShouldBe(SenderInfo.Empty);
        (await ledger.GetSenderTotalsAsync(gateway.Address)).ShouldBe((new BigInteger(1000), new BigInteger(1000)));
        await Should.ThrowAsync<LedgerException>(() => ledger.FundDepositAndReserveAsync(gateway.Address, -1, 5));
    }

    [Fact]
    public async Task Registry_lists_orchestrators_with_stake_as_active()
    {
        await ledger.RegisterOrchestratorAsync(orchestrator.Address, "https://127.0.0.1:8935", 500);
        await ledger.RegisterOrchestratorAsync(gateway.Address, "https://127.0.0.1:8936", 0);
        var active = await ledger.GetActiveOrchestratorsAsync();
        active.Select(o => (o.Address, o.ServiceUri, o.Stake)).ShouldBe([(orchestrator.Address, "https://127.0.0.1:8935", new BigInteger(500))]);

        await ledger.RegisterOrchestratorAsync(orchestrator.Address, "https://127.0.0.1:9999", 600);
        (await ledger.GetOrchestratorAsync(orchestrator.Address))!.ServiceUri.ShouldBe("https://127.0.0.1:9999");
        (await ledger.GetOrchestratorAsync(new EthAddress(new byte[20]))).ShouldBeNull();
    }

    [Fact]
    public async Task Redemption_applies_every_TicketBroker_check_and_moves_no_funds_on_failure()
    {
        await ledger.RegisterOrchestratorAsync(orchestrator.Address, "https://o", 1);
        await ledger.FundDepositAndReserveAsync(gateway.Address, 1_000_000, 1_000_000);
        var head = await ledger.GetHeadAsync();
        BigInteger rand = 777;

        async Task Refused(Ticket ticket, string reason, byte[]? signature = null, BigInteger? withRand = null)
        {
            var result = await ledger.RedeemWinningTicketAsync(ticket, signature ?? Sign(ticket), withRand ?? rand);
            result.Redeemed.ShouldBeFalse(reason);
            result.Error.ShouldBe(reason);
            (await ledger.GetSenderAsync(gateway.Address)).Deposit.ShouldBe(new BigInteger(1_000_000));
            (await ledger.GetRedemptionsAsync()).Count.ShouldBe(0);
        }

        Ticket Make(EthAddress? recipient = null, EthAddress? sender = null, long? round = null, byte[]? hash = null, BigInteger? winProb = null) =>
            new(recipient ?? orchestrator.Address, sender ?? gateway.Address, 1000, winProb ?? TicketMath.MaxWinProb, 1,
                RecipientRand.Hash(rand), round ?? head.CurrentRound, hash ?? ledger.BlockHashForRound(round ?? head.CurrentRound));

        await Refused(Make(recipient: new EthAddress(new byte[20])), "ticket recipient is null address");
        await Refused(Make(sender: new EthAddress(new byte[20])), "ticket sender is null address");
        await Refused(Make(round: 0, hash: new byte[32]), "invalid length for ticket auxData: must be 64 bytes");
        await Refused(Make(round: head.CurrentRound + 1, hash: new byte[32].Select(_ => (byte)1).ToArray()), "ticket creationRound does not have a block hash");
        await Refused(Make(hash: ledger.BlockHash(5)), "ticket creationRoundBlockHash invalid for creationRound");
        await Refused(Make(round: head.CurrentRound - 2), "ticket is expired");
        await Refused(Make(), "recipientRand does not match recipientRandHash", withRand: 778);
        var stranger = new EthAccount(Eth.EthPrimitivesVectorTests.RandomKey(random));
        await Refused(Make(), "invalid signature over ticket hash", signature: stranger.SignDigest(Make().SignatureDigest()));
        await Refused(Make(winProb: BigInteger.Zero), "ticket did not win");
        await Refused(Make(recipient: stranger.Address), "transcoder must be registered");

        // One good redemption, then the same ticket again.
        var good = Make();
        var redeemed = await ledger.RedeemWinningTicketAsync(good, Sign(good), rand);
        redeemed.ShouldBe(new RedeemResult(true, null, 1000, 0));
        (await ledger.IsTicketUsedAsync(good.Hash())).ShouldBeTrue();
        (await ledger.RedeemWinningTicketAsync(good, Sign(good), rand)).Error.ShouldBe("ticket is used");
        (await ledger.GetOrchestratorAsync(orchestrator.Address))!.FeesEarned.ShouldBe(new BigInteger(1000));
    }

    [Fact]
    public async Task Unlocked_or_empty_senders_cannot_be_paid_from()
    {
        await ledger.RegisterOrchestratorAsync(orchestrator.Address, "https://o", 1);
        BigInteger rand = 5;
        var empty = new EthAccount(Eth.EthPrimitivesVectorTests.RandomKey(random));
        var head = await ledger.GetHeadAsync();
        var ticket = new Ticket(orchestrator.Address, empty.Address, 10, TicketMath.MaxWinProb, 1, RecipientRand.Hash(rand), head.CurrentRound, head.LastInitializedRoundBlockHash);
        (await ledger.RedeemWinningTicketAsync(ticket, empty.SignDigest(ticket.SignatureDigest()), rand)).Error.ShouldBe("sender deposit and reserve are zero");

        await ledger.FundDepositAndReserveAsync(gateway.Address, 100, 100);
        await ledger.UnlockAsync(gateway.Address);
        clock.Advance(TimeSpan.FromSeconds(2 * 100 * 2)); // two rounds: the unlock period has passed
        head = await ledger.GetHeadAsync();
        var late = new Ticket(orchestrator.Address, gateway.Address, 10, TicketMath.MaxWinProb, 1, RecipientRand.Hash(rand), head.CurrentRound, head.LastInitializedRoundBlockHash);
        (await ledger.RedeemWinningTicketAsync(late, Sign(late), rand)).Error.ShouldBe("sender is unlocked");
    }

    [Fact]
    public async Task Face_value_is_paid_from_deposit_then_from_the_claimable_share_of_the_reserve()
    {
        var second = new EthAccount(Eth.EthPrimitivesVectorTests.RandomKey(random));
        await ledger.RegisterOrchestratorAsync(orchestrator.Address, "https://o1", 1);
        await ledger.RegisterOrchestratorAsync(second.Address, "https://o2", 1);
        await ledger.FundDepositAndReserveAsync(gateway.Address, 100, 1000);
        var head = await ledger.GetHeadAsync();
        (await ledger.GetClaimableReserveAsync(gateway.Address, orchestrator.Address)).ShouldBe(new BigInteger(500));

        var paid = new List<RedeemResult>();
        for (uint nonce = 1; nonce <= 3; nonce++)
        {
            BigInteger rand = nonce;
            var ticket = new Ticket(orchestrator.Address, gateway.Address, 400, TicketMath.MaxWinProb, nonce, RecipientRand.Hash(rand), head.CurrentRound, head.LastInitializedRoundBlockHash);
            paid.Add(await ledger.RedeemWinningTicketAsync(ticket, Sign(ticket), rand));
        }

        paid.Select(p => (p.FromDeposit, p.FromReserve)).ShouldBe([(new BigInteger(100), new BigInteger(300)), (BigInteger.Zero, new BigInteger(200)), (BigInteger.Zero, BigInteger.Zero)]);
        (await ledger.GetSenderAsync(gateway.Address)).ShouldBe(new SenderInfo(0, 500, 0));
        (await ledger.GetClaimableReserveAsync(gateway.Address, orchestrator.Address)).ShouldBe(BigInteger.Zero);
        (await ledger.GetClaimableReserveAsync(gateway.Address, second.Address)).ShouldBe(new BigInteger(500));
        (await ledger.GetOrchestratorAsync(orchestrator.Address))!.FeesEarned.ShouldBe(new BigInteger(600));

        clock.Advance(TimeSpan.FromSeconds(200)); // next round: a new allocation of what remains
        (await ledger.GetClaimableReserveAsync(gateway.Address, orchestrator.Address)).ShouldBe(new BigInteger(250));
    }

    [Fact]
    public async Task Concurrent_writers_through_separate_connections_lose_no_update()
    {
        var other = Open(new LedgerOptions());
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => (i % 2 == 0 ? ledger : other).FundDepositAndReserveAsync(gateway.Address, 3, 1))));
        (await ledger.GetSenderAsync(gateway.Address)).ShouldBe(new SenderInfo(120, 40, 0));
    }

    private byte[] Sign(Ticket ticket) => gateway.SignDigest(ticket.SignatureDigest());

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }
}
