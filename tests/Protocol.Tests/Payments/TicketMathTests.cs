using System.Numerics;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Payments;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Protocol.Tests.Payments;

public sealed class TicketMathTests
{
    [Fact]
    public void Win_test_is_strictly_less_than()
    {
        var signature = new byte[65];
        new Random(30).NextBytes(signature);
        BigInteger rand = 12345;
        var data = signature.Concat(BigEndian.Word(rand)).ToArray();
        var value = BigEndian.ToBigInteger(Keccak256.Hash(data));

        TicketMath.IsWinning(signature, rand, value).ShouldBeFalse("equal is not a win");
        TicketMath.IsWinning(signature, rand, value + 1).ShouldBeTrue();
        TicketMath.IsWinning(signature, rand, BigInteger.Zero).ShouldBeFalse();
    }

    [Theory]
    [InlineData(4)]
    [InlineData(50)]
    public void Win_rate_and_EV_agree_with_a_brute_force_count(int oneIn)
    {
        // Random signatures and recipientRands against winProb = (2^256-1)/oneIn: the number of wins must be within
        // 5 standard deviations of n/oneIn, and the face value won per ticket must match EV to the same bound.
        var random = new Random(31 + oneIn);
        const int n = 20_000;
        var winProb = TicketMath.MaxWinProb / oneIn;
        BigInteger faceValue = 1_000_000_007;
        var ev = TicketMath.ExpectedValue(faceValue, winProb);
        var wins = 0;
        var signature = new byte[65];
        for (var i = 0; i < n; i++)
        {
            random.NextBytes(signature);
            var rand = BigEndian.ToBigInteger(PaymentTestNetwork.Bytes(random, 32));
            wins += TicketMath.IsWinning(signature, rand, winProb) ? 1 : 0;
        }

        var p = 1.0 / oneIn;
        var sigma = Math.Sqrt(n * p * (1 - p));
        Math.Abs(wins - n * p).ShouldBeLessThan(5 * sigma, $"wins {wins} of {n}");
        var won = new BigRational(faceValue * wins);
        var expected = ev * new BigRational(n);
        Math.Abs((won - expected).ToDouble()).ShouldBeLessThan(5 * sigma * (double)faceValue);
        ev.ShouldBe(new BigRational(faceValue * winProb, TicketMath.MaxWinProb));
    }

    [Fact]
    public void Win_probability_is_the_smallest_multiple_of_EV_reaching_the_target()
    {
        var random = new Random(32);
        for (var i = 0; i < 500; i++)
        {
            BigInteger ev = random.NextInt64(1, 10_000_000_000);
            var faceValue = ev * random.Next(2, 1000) + random.Next(0, 1000);
            var winProb = TicketMath.WinProb(faceValue, ev);
            var x = TicketMath.MaxWinProb / faceValue;
            var remainder = TicketMath.MaxWinProb % faceValue;
            winProb.ShouldBe(remainder.IsZero ? ev * x : ev * (x + 1));
            // the EV offered never falls short of the target and overshoots by less than one face value's share
            TicketMath.ExpectedValue(faceValue, winProb).ShouldBeGreaterThanOrEqualTo(new BigRational(ev));
            TicketMath.ExpectedValue(faceValue, winProb - ev).ShouldBeLessThan(new BigRational(ev));
        }

        TicketMath.WinProb(0, 5).ShouldBe(BigInteger.Zero);
        TicketMath.WinProb(5, 5).ShouldBe(TicketMath.MaxWinProb);
    }

    [Fact]
    public void Big_endian_encodings_follow_go()
    {
        BigEndian.Minimal(BigInteger.Zero).ShouldBeEmpty();
        BigEndian.Minimal(255).ShouldBe(new byte[] { 0xFF });
        BigEndian.Minimal(256).ShouldBe(new byte[] { 0x01, 0x00 });
        BigEndian.Word(TicketMath.MaxWinProb).ShouldBe(Enumerable.Repeat((byte)0xFF, 32).ToArray());
        Should.Throw<ArgumentOutOfRangeException>(() => BigEndian.Word(TicketMath.MaxWinProb + 1));
        Should.Throw<ArgumentOutOfRangeException>(() => BigEndian.Minimal(-1));
        BigEndian.ToBigInteger([]).ShouldBe(BigInteger.Zero);
    }
}
