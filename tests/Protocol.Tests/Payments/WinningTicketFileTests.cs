using System.Numerics;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Payments;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Protocol.Tests.Payments;

public sealed class WinningTicketFileTests
{
    [Fact]
    public async Task Tickets_won_before_a_restart_are_redeemed_by_the_next_queue_on_the_same_file()
    {
        using var net = new PaymentTestNetwork(seed: 51, keepWinningTickets: true);
        for (var batch = 0; batch < 2; batch++)
        {
            var info = await net.InfoAsync(new BigRational(7_000), session: $"s{batch}"); // fresh params: 600 nonces each
            for (var job = 0; job < 15; job++)
            {
                var prepared = await net.Sender.CreatePaymentAsync(info, 1024L * 1024 * 3); // ≈ 22 tickets, ~1 % win
                (await net.Receiver.ProcessPaymentAsync(prepared.Payment, PaymentTestNetwork.ManifestId)).Accepted.ShouldBeTrue();
            }
        }

        var won = net.Queue.Count;
        won.ShouldBeGreaterThan(0, "with ~1 % winners over ~660 tickets some must win");

        var restarted = new RedemptionQueue(net.Ledger, store: net.TicketFile);
        restarted.Count.ShouldBe(won);
        restarted.PendingFaceValue(net.Gateway.Address).ShouldBe(net.Queue.PendingFaceValue(net.Gateway.Address));
        net.AdvanceBlocks(41);
        var results = await restarted.RedeemDueAsync();

        results.Count.ShouldBe(won);
        results.ShouldAllBe(r => r.Result.Redeemed);
        (await net.Ledger.GetRedemptionsAsync()).Count.ShouldBe(won);
        new RedemptionQueue(net.Ledger, store: net.TicketFile).Count.ShouldBe(0, "redeemed tickets leave the file");
    }

    [Fact]
    public void Every_field_survives_the_file_including_uint256_amounts_and_the_creation_round()
    {
        var random = new Random(3);
        var ticket = new Ticket(
            new EthAddress(PaymentTestNetwork.Bytes(random, 20)), new EthAddress(PaymentTestNetwork.Bytes(random, 20)),
            BigInteger.Pow(2, 200) + 12345, BigInteger.Pow(2, 256) - 1, uint.MaxValue,
            PaymentTestNetwork.Bytes(random, 32), 4321, PaymentTestNetwork.Bytes(random, 32));
        var original = new WinningTicket(ticket, PaymentTestNetwork.Bytes(random, 65), BigInteger.Pow(2, 255) + 7, 123_456_789);
        var path = Path.Combine(Path.GetTempPath(), "lpa-wt-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            new WinningTicketFile(path).Save([original]);
            var loaded = new WinningTicketFile(path).Load().ShouldHaveSingleItem();

            loaded.Ticket.Hash().ShouldBe(ticket.Hash());
            loaded.Ticket.Flatten().ShouldBe(ticket.Flatten());
            loaded.Signature.ShouldBe(original.Signature);
            loaded.RecipientRand.ShouldBe(original.RecipientRand);
            loaded.ParamsExpirationBlock.ShouldBe(original.ParamsExpirationBlock);
            File.Exists(path + ".tmp").ShouldBeFalse();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_file_is_an_empty_queue()
    {
        new WinningTicketFile(Path.Combine(Path.GetTempPath(), "lpa-none-" + Guid.NewGuid().ToString("N"))).Load().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("""[{"recipient":"0x12"}]""")]
    [InlineData("""[{"recipient":"0x1111111111111111111111111111111111111111","sender":"0x2222222222222222222222222222222222222222","faceValue":"-5"}]""")]
    public void A_file_that_is_not_a_list_of_winning_tickets_is_refused_with_what_to_do(string body)
    {
        var path = Path.Combine(Path.GetTempPath(), "lpa-bad-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, body);
        try
        {
            var error = Should.Throw<InvalidDataException>(() => new WinningTicketFile(path).Load());
            error.Message.ShouldContain(path);
            error.Message.ShouldContain("move it aside");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
