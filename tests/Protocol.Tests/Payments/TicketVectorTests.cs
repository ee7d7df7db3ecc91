using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Payments;
using LivepeerAspire.Protocol.Pricing;
using static LivepeerAspire.Protocol.Tests.Eth.EthersVectors;

namespace LivepeerAspire.Protocol.Tests.Payments;

/// <summary>Ticket hash, signature, recipientRandHash and win test against ethers.js (Solidity's abi.encodePacked layout).</summary>
public sealed class TicketVectorTests
{
    [Fact]
    public void Ticket_hash_signature_and_win_test_match_ethers()
    {
        var random = new Random(20);
        var tickets = new List<(Ticket Ticket, byte[] Key, BigInteger Rand)>();
        for (var i = 0; i < 24; i++)
        {
            var key = Eth.EthPrimitivesVectorTests.RandomKey(random);
            var sender = new EthAccount(key).Address;
            var rand = BigEndian.ToBigInteger(PaymentTestNetwork.Bytes(random, 32));
            // Mix of small and full-width values, always-winning, never-winning and half-chance tickets, and one without aux data.
            var faceValue = i % 3 == 0 ? new BigInteger(random.NextInt64()) : BigEndian.ToBigInteger(PaymentTestNetwork.Bytes(random, 1 + i % 32));
            var winProb = (i % 4) switch { 0 => TicketMath.MaxWinProb, 1 => BigInteger.Zero, _ => TicketMath.MaxWinProb / 2 };
            var creationRound = i == 5 ? 0 : random.NextInt64(1, long.MaxValue);
            var blockHash = i == 5 ? new byte[32] : PaymentTestNetwork.Bytes(random, 32);
            var ticket = new Ticket(new EthAddress(PaymentTestNetwork.Bytes(random, 20)), sender, faceValue, winProb,
                (uint)random.NextInt64(0, uint.MaxValue + 1L), RecipientRand.Hash(rand), creationRound, blockHash);
            tickets.Add((ticket, key, rand));
        }

        var results = Run(tickets.Select(t => Case("ticket",
            ("recipient", t.Ticket.Recipient.ToLowerHex()), ("sender", t.Ticket.Sender.ToLowerHex()),
            ("faceValue", t.Ticket.FaceValue.ToString()), ("winProb", t.Ticket.WinProb.ToString()),
            ("senderNonce", (long)t.Ticket.SenderNonce), ("recipientRandHash", Hex(t.Ticket.RecipientRandHash)),
            ("creationRound", t.Ticket.CreationRound.ToString()), ("creationRoundBlockHash", Hex(t.Ticket.CreationRoundBlockHash)),
            ("key", Hex(t.Key)), ("recipientRand", t.Rand.ToString()))));

        var wins = 0;
        for (var i = 0; i < tickets.Count; i++)
        {
            var (ticket, key, rand) = tickets[i];
            var expected = results[i]!.AsObject();
            ticket.Flatten().Length.ShouldBe(i == 5 ? 168 : 232);
            Hex(ticket.Hash()).ShouldBe(expected["hash"]!.GetValue<string>(), $"ticket {i}");
            foreach (ISecp256k1 crypto in new ISecp256k1[] { Secp256k1.Native!, Secp256k1.Managed })
            {
                var signature = new EthAccount(key, crypto).SignDigest(ticket.SignatureDigest());
                Hex(signature).ShouldBe(expected["sig"]!.GetValue<string>(), $"ticket {i} {crypto.Name}");
            }

            var sig = Bytes(expected["sig"]);
            TicketMath.IsWinning(sig, rand, ticket.WinProb).ShouldBe(expected["wins"]!.GetValue<bool>(), $"ticket {i}");
            Hex(RecipientRand.Hash(rand)).ShouldBe(expected["recipientRandHash"]!.GetValue<string>());
            wins += expected["wins"]!.GetValue<bool>() ? 1 : 0;
        }

        wins.ShouldBeGreaterThan(0);
        wins.ShouldBeLessThan(tickets.Count);
    }

    [Fact]
    public void RecipientRand_is_the_hmac_of_gos_minimal_big_endian_message()
    {
        var random = new Random(21);
        var secret = PaymentTestNetwork.Bytes(random, 32);
        var sender = new EthAddress(PaymentTestNetwork.Bytes(random, 20));
        var seed = BigEndian.ToBigInteger([0x00, 0x00, 0x07, 0x01]); // leading zeros vanish, as with big.Int.Bytes()
        var aux = PaymentTestNetwork.Bytes(random, 64);
        var price = new BigRational(3, 2);

        var message = RecipientRand.Message(seed, sender, 256, BigInteger.Zero, 40, price, aux);

        var expected = new List<byte> { 0x07, 0x01 };
        expected.AddRange(sender.Span.ToArray());
        expected.AddRange(new byte[] { 0x01, 0x00 }); // faceValue 256
        // winProb 0 contributes nothing
        expected.Add(40);
        expected.Add(3);
        expected.Add(2);
        expected.AddRange(aux);
        message.ShouldBe(expected.ToArray());

        var results = Run([Case("hmac", ("key", Hex(secret)), ("message", Hex(message)))]);
        var rand = RecipientRand.Compute(secret, seed, sender, 256, BigInteger.Zero, 40, price, aux);
        Hex(BigEndian.Word(rand)).ShouldBe(results[0]!.GetValue<string>());
        Hex(BigEndian.Word(rand)).ShouldBe(Hex(HMACSHA256.HashData(secret, message)));
    }
}
