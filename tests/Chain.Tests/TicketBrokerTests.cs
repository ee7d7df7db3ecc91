using System.Numerics;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Ledger;
using LivepeerAspire.Protocol.Ledger.Chain;
using LivepeerAspire.Protocol.Payments;
using Xunit.Abstractions;

namespace LivepeerAspire.Chain.Tests;

/// <summary>The project's TicketBroker on ganache, driven through the chain ledger with tickets the C# signer made.</summary>
public sealed class TicketBrokerTests(DevChainFixture fixture, ITestOutputHelper output) : IClassFixture<DevChainFixture>
{
    private static readonly BigInteger Eth = BigInteger.Pow(10, 18);

    private Task<TestNetwork> DeployAsync(BigInteger deposit, BigInteger reserve, ChainParameters? parameters = null, int seed = 15) =>
        TestNetwork.DeployAsync(fixture.Chain.Endpoint, deposit, reserve, parameters: parameters, seed: seed);

    [Fact]
    public async Task Contract_hash_and_signer_recovery_agree_with_the_gateways_tickets()
    {
        var net = await DeployAsync(Eth, Eth);
        for (uint nonce = 1; nonce <= 3; nonce++)
        {
            var faceValue = new BigInteger(net.Random.NextInt64(1, long.MaxValue)) * 1_000_003;
            var winProb = TicketMath.WinProb(faceValue, 8_000_000_000);
            var (ticket, signature, _) = await net.TicketAsync(net.Orchestrators[0], faceValue, winProb, nonce);

            (await net.Deployer.GetTicketHashOnChainAsync(ticket)).ShouldBe(ticket.Hash());
            (await net.Deployer.RecoverSignerOnChainAsync(ticket.Hash(), signature)).ShouldBe(net.Gateway.Address);
        }
    }

    [Fact]
    public async Task Funding_is_a_transaction_that_moves_exactly_the_amounts_into_the_broker()
    {
        var net = await DeployAsync(Eth, 2 * Eth);
        (await net.BalanceAsync(net.Connection.TicketBroker)).ShouldBe(3 * Eth);

        var after = await net.GatewayLedger.FundDepositAndReserveAsync(net.Gateway.Address, 5, 7);

        after.ShouldBe(new SenderInfo(Eth + 5, 2 * Eth + 7, 0));
        (await net.BalanceAsync(net.Connection.TicketBroker)).ShouldBe(3 * Eth + 12);
        await Should.ThrowAsync<LedgerException>(() => net.Deployer.FundDepositAndReserveAsync(net.Gateway.Address, 1, 1));
    }

    [Fact]
    public async Task A_winning_ticket_pays_its_face_value_from_the_deposit_to_the_recipient()
    {
        var net = await DeployAsync(Eth, Eth);
        var recipient = net.Orchestrators[0];
        var faceValue = BigInteger.Parse("1234567890123456", System.Globalization.CultureInfo.InvariantCulture);
        var (ticket, signature, rand) = await net.TicketAsync(recipient, faceValue);
        var brokerBefore = await net.BalanceAsync(net.Connection.TicketBroker);
        var recipientBefore = await net.BalanceAsync(recipient.Address);

        // A third party (the deployer) redeems, so the recipient pays no gas and its balance moves by the payment alone.
        var result = await net.Deployer.RedeemWinningTicketAsync(ticket, signature, rand);

        result.Redeemed.ShouldBeTrue(result.Error);
        result.FromDeposit.ShouldBe(faceValue);
        result.FromReserve.ShouldBe(BigInteger.Zero);
        result.TransactionHash.ShouldNotBeNullOrEmpty();
        (brokerBefore - await net.BalanceAsync(net.Connection.TicketBroker)).ShouldBe(faceValue);
        (await net.BalanceAsync(recipient.Address) - recipientBefore).ShouldBe(faceValue);
        (await net.Deployer.GetSenderAsync(net.Gateway.Address)).Deposit.ShouldBe(Eth - faceValue);
        (await net.Deployer.GetOrchestratorAsync(recipient.Address))!.FeesEarned.ShouldBe(faceValue);
        (await net.Deployer.IsTicketUsedAsync(ticket.Hash())).ShouldBeTrue();
        var receipt = await net.Deployer.Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(result.TransactionHash);
        receipt.Status.Value.ShouldBe(BigInteger.One);
        // go-livepeer prices a redemption at 350,000 gas on L1 (redeemGas); the project's contract must fit in that budget.
        output.WriteLine($"redeemWinningTicket gas used: {receipt.GasUsed.Value}");
        receipt.GasUsed.Value.ShouldBeLessThan(350_000);
    }

    [Fact]
    public async Task A_replayed_ticket_is_refused_as_used_and_the_revert_is_logged_and_counted()
    {
        var net = await DeployAsync(Eth, Eth);
        var orchestrator = new ChainLedger(net.Connection, net.Orchestrators[0]);
        var (ticket, signature, rand) = await net.TicketAsync(net.Orchestrators[0], 1_000_000);
        var head = await orchestrator.GetHeadAsync();
        var winner = new WinningTicket(ticket, signature, rand, head.BlockNumber);
        var first = new RedemptionQueue(orchestrator);
        first.Enqueue(winner);
        (await first.RedeemDueAsync()).Single().Result.Redeemed.ShouldBeTrue();
        var brokerBefore = await net.BalanceAsync(net.Connection.TicketBroker);

        // A second queue holding the same ticket (say, a winning-ticket file restored after a crash) replays it.
        var lines = new List<string>();
        var replay = new RedemptionQueue(orchestrator, lines.Add);
        replay.Enqueue(winner);
        var result = (await replay.RedeemDueAsync()).Single().Result;

        result.Redeemed.ShouldBeFalse();
        result.Error.ShouldBe("ticket is used");
        replay.Failed.ShouldBe(1);
        replay.FailedByReason["ticket is used"].ShouldBe(1);
        lines.ShouldContain(l => l.Contains("not redeemed: ticket is used", StringComparison.Ordinal));
        orchestrator.Reverts["ticket is used"].ShouldBe(1);
        (await net.BalanceAsync(net.Connection.TicketBroker)).ShouldBe(brokerBefore);
    }

    [Fact]
    public async Task A_forged_signature_is_refused()
    {
        var net = await DeployAsync(Eth, Eth);
        var (ticket, _, rand) = await net.TicketAsync(net.Orchestrators[0], 1_000_000);
        var forged = TestNetwork.AccountFrom(new Random(99)).SignDigest(ticket.SignatureDigest());

        var result = await net.Deployer.RedeemWinningTicketAsync(ticket, forged, rand);

        result.Error.ShouldBe("invalid signature over ticket hash");
        (await net.Deployer.IsTicketUsedAsync(ticket.Hash())).ShouldBeFalse();
    }

    [Fact]
    public async Task A_signature_with_a_flipped_byte_is_refused()
    {
        var net = await DeployAsync(Eth, Eth);
        var (ticket, signature, rand) = await net.TicketAsync(net.Orchestrators[0], 1_000_000);
        signature[10] ^= 0x01;

        (await net.Deployer.RedeemWinningTicketAsync(ticket, signature, rand)).Error.ShouldBe("invalid signature over ticket hash");
    }

    [Fact]
    public async Task An_expired_ticket_is_refused_and_dropped_from_the_queue_with_its_reason()
    {
        var net = await DeployAsync(Eth, Eth, new ChainParameters(RoundLength: 10, TicketValidityPeriod: 2));
        var (ticket, signature, rand) = await net.TicketAsync(net.Orchestrators[0], 1_000_000);

        var orchestrator = new ChainLedger(net.Connection, net.Orchestrators[0]);
        var lines = new List<string>();
        var queue = new RedemptionQueue(orchestrator, lines.Add);
        queue.Enqueue(new WinningTicket(ticket, signature, rand, ParamsExpirationBlock: 0));

        await net.MineAsync(25); // two rounds and more (say, the chain was away): creationRound + ticketValidityPeriod <= currentRound
        var result = (await queue.RedeemDueAsync()).Single().Result;

        // go-livepeer's rule: a winner is only worth redeeming within ticketValidityPeriod rounds of its creation round;
        // after that the contract refuses it and the queue drops it, logged and counted. The sender keeps the funds.
        result.Error.ShouldBe("ticket is expired");
        queue.Count.ShouldBe(0);
        queue.Failed.ShouldBe(1);
        orchestrator.Reverts["ticket is expired"].ShouldBe(1);
        lines.ShouldContain(l => l.EndsWith("not redeemed: ticket is expired", StringComparison.Ordinal));
        (await net.Deployer.GetSenderAsync(net.Gateway.Address)).Deposit.ShouldBe(Eth);
    }

    [Fact]
    public async Task A_ticket_still_in_its_validity_period_is_redeemed_after_a_new_round_is_initialised()
    {
        var net = await DeployAsync(Eth, Eth, new ChainParameters(RoundLength: 10, TicketValidityPeriod: 2));
        await net.Deployer.InitializeRoundIfNeededAsync(); // deploying took more than a round's blocks
        var (ticket, signature, rand) = await net.TicketAsync(net.Orchestrators[0], 1_000_000);
        var created = ticket.CreationRound;

        // Up to the next round's first block, so that the ledger's initializeRound and the redemption both fall in it.
        var latest = (await net.Deployer.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
        await net.MineAsync((int)((created + 1) * 10 - latest - 1));

        var result = await net.Deployer.RedeemWinningTicketAsync(ticket, signature, rand);
        result.Redeemed.ShouldBeTrue(result.Error);
        (await net.Deployer.GetHeadAsync()).CurrentRound.ShouldBe(created + 1);
    }

    [Fact]
    public async Task A_wrong_recipientRand_is_refused()
    {
        var net = await DeployAsync(Eth, Eth);
        var (ticket, signature, rand) = await net.TicketAsync(net.Orchestrators[0], 1_000_000);

        (await net.Deployer.RedeemWinningTicketAsync(ticket, signature, rand + 1)).Error.ShouldBe("recipientRand does not match recipientRandHash");
        (await net.Deployer.RedeemWinningTicketAsync(ticket, signature, BigInteger.Pow(2, 256))).Error.ShouldBe("recipientRand does not match recipientRandHash");
        net.Deployer.Reverts["recipientRand does not match recipientRandHash"].ShouldBe(2);
    }

    [Fact]
    public async Task A_ticket_that_does_not_win_is_refused()
    {
        var net = await DeployAsync(Eth, Eth);
        var (ticket, signature, rand) = await net.TicketAsync(net.Orchestrators[0], 1_000_000, winProb: BigInteger.One);
        TicketMath.IsWinning(signature, rand, ticket.WinProb).ShouldBeFalse();

        (await net.Deployer.RedeemWinningTicketAsync(ticket, signature, rand)).Error.ShouldBe("ticket did not win");
    }

    [Fact]
    public async Task A_sender_without_funds_is_refused()
    {
        var net = await DeployAsync(BigInteger.Zero, BigInteger.Zero);
        var (ticket, signature, rand) = await net.TicketAsync(net.Orchestrators[0], 1_000_000);

        (await net.Deployer.RedeemWinningTicketAsync(ticket, signature, rand)).Error.ShouldBe("sender deposit and reserve are zero");
    }

    [Fact]
    public async Task Reserve_claims_are_an_equal_share_per_active_orchestrator_per_round()
    {
        var reserve = 10_000_000_000_000_000;
        var net = await DeployAsync(BigInteger.Zero, reserve);
        var (a, b) = (net.Orchestrators[0], net.Orchestrators[1]);
        var brokerBefore = await net.BalanceAsync(net.Connection.TicketBroker);
        (await net.Deployer.GetClaimableReserveAsync(net.Gateway.Address, a.Address)).ShouldBe(reserve / 2);

        var first = await net.TicketAsync(a, reserve, nonce: 1);
        var paidA = await net.Deployer.RedeemWinningTicketAsync(first.Ticket, first.Signature, first.RecipientRand);
        var second = await net.TicketAsync(a, reserve, nonce: 2);
        var paidAgain = await net.Deployer.RedeemWinningTicketAsync(second.Ticket, second.Signature, second.RecipientRand);
        (await net.Deployer.GetClaimableReserveAsync(net.Gateway.Address, b.Address)).ShouldBe(reserve / 2);
        var third = await net.TicketAsync(b, reserve, nonce: 3);
        var paidB = await net.Deployer.RedeemWinningTicketAsync(third.Ticket, third.Signature, third.RecipientRand);

        paidA.FromReserve.ShouldBe(reserve / 2);
        paidAgain.Redeemed.ShouldBeTrue();
        paidAgain.Paid.ShouldBe(BigInteger.Zero);
        paidB.FromReserve.ShouldBe(reserve / 2);
        (brokerBefore - await net.BalanceAsync(net.Connection.TicketBroker)).ShouldBe(reserve);
        (await net.Deployer.GetSenderAsync(net.Gateway.Address)).Reserve.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task Unlock_and_withdraw_follow_the_unlock_period()
    {
        var net = await DeployAsync(3, 4, new ChainParameters(RoundLength: 10, UnlockPeriod: 2));
        var gateway = net.GatewayLedger;

        (await gateway.UnlockAsync(net.Gateway.Address)).WithdrawRound.ShouldBeGreaterThan(0);
        (await Should.ThrowAsync<LedgerException>(() => gateway.WithdrawAsync(net.Gateway.Address))).Message.ShouldBe("account is locked");
        await net.MineAsync(20);
        (await gateway.WithdrawAsync(net.Gateway.Address)).ShouldBe(new BigInteger(7));
        (await gateway.GetSenderAsync(net.Gateway.Address)).ShouldBe(SenderInfo.Empty);
    }

    [Fact]
    public async Task Discovery_reads_the_registry_with_stakes_and_service_uris()
    {
        var net = await DeployAsync(Eth, Eth);
        await net.Deployer.RegisterOrchestratorAsync(net.Orchestrators[1].Address, "https://127.0.0.1:9999", BigInteger.Zero);

        var active = await net.Deployer.GetActiveOrchestratorsAsync();

        active.Select(o => (o.Address, o.ServiceUri, o.Stake)).ShouldBe([(net.Orchestrators[0].Address, "https://127.0.0.1:8935", Eth)]);
        var self = new ChainLedger(net.Connection, net.Orchestrators[0]);
        await self.RegisterOrchestratorAsync(net.Orchestrators[0].Address, "https://127.0.0.1:7000", Eth);
        (await self.GetOrchestratorAsync(net.Orchestrators[0].Address))!.ServiceUri.ShouldBe("https://127.0.0.1:7000");
        await Should.ThrowAsync<LedgerException>(() => self.RegisterOrchestratorAsync(net.Orchestrators[0].Address, "https://127.0.0.1:7000", 2 * Eth));
    }

    [Fact]
    public void The_connection_string_selects_the_ledger()
    {
        var connection = new ChainConnection(new Uri("http://127.0.0.1:8545"), 1337, EthAddress.Parse("0x" + new string('1', 40)),
            EthAddress.Parse("0x" + new string('2', 40)), EthAddress.Parse("0x" + new string('3', 40)));
        ChainConnection.Parse(connection.ToString()).ShouldBe(connection);
        ChainConnection.IsChain(connection.ToString()).ShouldBeTrue();
        ChainConnection.IsChain("Data Source=/tmp/ledger.db").ShouldBeFalse();
        Should.Throw<FormatException>(() => ChainConnection.Parse("Endpoint=http://127.0.0.1:8545;ChainId=1337"));
    }
}

public sealed class RevertReasonTests
{
    [Theory]
    [InlineData("VM Exception while processing transaction: revert ticket is used", "ticket is used")]
    [InlineData("execution reverted: ticket did not win", "ticket did not win")]
    [InlineData("execution reverted", "reverted without a reason")]
    public void Revert_reasons_are_read_from_ganache_and_geth_error_messages(string message, string reason) =>
        ChainLedger.RevertReason(new Nethereum.JsonRpc.Client.RpcResponseException(new Nethereum.JsonRpc.Client.RpcError(-32000, message))).ShouldBe(reason);

    [Fact]
    public void Other_rpc_errors_are_not_reverts() =>
        ChainLedger.RevertReason(new Nethereum.JsonRpc.Client.RpcResponseException(new Nethereum.JsonRpc.Client.RpcError(-32000, "nonce too low"))).ShouldBeNull();
}
