using System.Text;
using System.Text.Json.Nodes;
using LivepeerAspire.Protocol.Eth;
using static LivepeerAspire.Protocol.Tests.Eth.EthersVectors;

namespace LivepeerAspire.Protocol.Tests.Eth;

/// <summary>Keccak, EIP-55, personal_sign and signatures against ethers.js, for both secp256k1 implementations.</summary>
public sealed class EthPrimitivesVectorTests
{
    private static readonly NativeSecp256k1 Native =
        Secp256k1.Native ?? throw new InvalidOperationException("libsecp256k1.so.1 did not load: apt-get install libsecp256k1-1");

    public static TheoryData<string> Implementations => new() { "native", "managed" };

    private static ISecp256k1 Impl(string name) => name == "native" ? Native : Secp256k1.Managed;

    [Fact]
    public void Keccak_matches_ethers_across_block_boundaries()
    {
        var random = new Random(1);
        var inputs = new[] { 0, 1, 31, 32, 33, 135, 136, 137, 271, 272, 1000 }
            .Select(n => { var b = new byte[n]; random.NextBytes(b); return b; })
            .Append(Encoding.ASCII.GetBytes("abc"))
            .ToArray();

        var results = Run(inputs.Select(b => Case("keccak", ("data", Hex(b)))));

        for (var i = 0; i < inputs.Length; i++)
        {
            Hex(Keccak256.Hash(inputs[i])).ShouldBe(results[i]!.GetValue<string>(), $"input {i} ({inputs[i].Length} bytes)");
        }
    }

    [Fact]
    public void Eip55_matches_ethers_and_the_eip_examples()
    {
        var random = new Random(2);
        var addresses = Enumerable.Range(0, 40).Select(_ => { var b = new byte[20]; random.NextBytes(b); return new EthAddress(b); }).ToArray();

        var results = Run(addresses.Select(a => Case("checksum", ("address", a.ToLowerHex()))));

        for (var i = 0; i < addresses.Length; i++)
        {
            addresses[i].ToString().ShouldBe(results[i]!.GetValue<string>());
            EthAddress.TryParseChecksummed(addresses[i].ToString(), out _).ShouldBeTrue();
        }

        // Examples from the EIP-55 text itself.
        foreach (var example in new[] { "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb" })
        {
            EthAddress.Parse(example.ToLowerInvariant()).ToString().ShouldBe(example);
        }

        EthAddress.TryParseChecksummed("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", out _).ShouldBeFalse();
        EthAddress.TryParse("0x1234", out _).ShouldBeFalse();
        EthAddress.TryParse("0xzz" + new string('0', 38), out _).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Addresses_personal_hashes_and_signatures_match_ethers(string implementation)
    {
        var crypto = Impl(implementation);
        var random = new Random(3);
        var keys = Enumerable.Range(0, 12).Select(_ => RandomKey(random)).ToArray();
        var messages = Enumerable.Range(0, 12).Select(i => { var b = new byte[i == 0 ? 32 : random.Next(0, 120)]; random.NextBytes(b); return b; }).ToArray();
        var digests = Enumerable.Range(0, 12).Select(_ => { var b = new byte[32]; random.NextBytes(b); return b; }).ToArray();

        var cases = new List<JsonObject>();
        for (var i = 0; i < keys.Length; i++)
        {
            cases.Add(Case("address", ("key", Hex(keys[i]))));
            cases.Add(Case("personalHash", ("message", Hex(messages[i]))));
            cases.Add(Case("signDigest", ("key", Hex(keys[i])), ("digest", Hex(digests[i]))));
            cases.Add(Case("personalSign", ("key", Hex(keys[i])), ("message", Hex(messages[i]))));
        }

        var results = Run(cases);

        for (var i = 0; i < keys.Length; i++)
        {
            var account = new EthAccount(keys[i], crypto);
            account.Address.ToString().ShouldBe(results[4 * i]!.GetValue<string>());
            Hex(PersonalSign.Hash(messages[i])).ShouldBe(results[4 * i + 1]!.GetValue<string>());
            Hex(account.SignDigest(digests[i])).ShouldBe(results[4 * i + 2]!.GetValue<string>());
            Hex(account.SignPersonal(messages[i])).ShouldBe(results[4 * i + 3]!.GetValue<string>());
        }
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Recovery_agrees_with_ethers_on_good_and_tampered_signatures(string implementation)
    {
        var crypto = Impl(implementation);
        var random = new Random(4);
        var samples = new List<(byte[] Digest, byte[] Signature)>();
        for (var i = 0; i < 10; i++)
        {
            var digest = new byte[32];
            random.NextBytes(digest);
            var signature = crypto.Sign(digest, RandomKey(random));
            samples.Add((digest, signature));
            var flipped = (byte[])signature.Clone();
            flipped[random.Next(0, 64)] ^= (byte)(1 << random.Next(0, 8));
            samples.Add((digest, flipped));
            var otherV = (byte[])signature.Clone();
            otherV[64] = (byte)(otherV[64] == 27 ? 28 : 27);
            samples.Add((digest, otherV));
        }

        var results = Run(samples.Select(s => Case("recover", ("digest", Hex(s.Digest)), ("sig", Hex(s.Signature)))));

        for (var i = 0; i < samples.Count; i++)
        {
            var expected = results[i]?.GetValue<string>();
            var ok = crypto.TryRecover(samples[i].Digest, samples[i].Signature, out var key);
            if (expected is null)
            {
                ok.ShouldBeFalse($"sample {i}");
            }
            else
            {
                ok.ShouldBeTrue($"sample {i}");
                key!.Address.ToString().ShouldBe(expected, $"sample {i}");
            }
        }
    }

    [Fact]
    public void Orchestrator_request_address_signature_matches_ethers()
    {
        var random = new Random(5);
        var keys = Enumerable.Range(0, 4).Select(_ => RandomKey(random)).ToArray();
        var results = Run(keys.Select(k => Case("signAddress", ("key", Hex(k)))));
        for (var i = 0; i < keys.Length; i++)
        {
            var account = new EthAccount(keys[i]);
            var signature = MessageSignatures.SignOwnAddress(account);
            Hex(signature).ShouldBe(results[i]!.GetValue<string>());
            MessageSignatures.VerifyAddressSignature(account.Address, signature).ShouldBeTrue();
            MessageSignatures.VerifyAddressSignature(new EthAccount(keys[(i + 1) % keys.Length]).Address, signature).ShouldBeFalse();
        }
    }

    internal static byte[] RandomKey(Random random)
    {
        var key = new byte[32];
        do
        {
            random.NextBytes(key);
        }
        while (!SignatureRules.IsValidPrivateKey(key));

        return key;
    }
}
