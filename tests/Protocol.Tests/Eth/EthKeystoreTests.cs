using System.Security.Cryptography;
using LivepeerAspire.Protocol.Eth;
using static LivepeerAspire.Protocol.Tests.Eth.EthersVectors;

namespace LivepeerAspire.Protocol.Tests.Eth;

public sealed class EthKeystoreTests
{
    [Fact]
    public void Keystores_round_trip_with_ethers_in_both_directions()
    {
        var key = EthPrimitivesVectorTests.RandomKey(new Random(70));
        var ours = EthKeystore.Encrypt(key, "correct horse", scryptN: 1024);
        var results = Run([
            Case("keystoreEncrypt", ("key", Hex(key)), ("password", "pässword"), ("n", 1024)),
            Case("keystoreDecrypt", ("json", ours), ("password", "correct horse")),
        ]);

        Hex(EthKeystore.Decrypt(results[0]!.GetValue<string>(), "pässword")).ShouldBe(Hex(key));
        results[1]!.GetValue<string>().ShouldBe(Hex(key));
        EthAccount.FromKeystore(ours, "correct horse").Address.ShouldBe(new EthAccount(key).Address);
        Should.Throw<CryptographicException>(() => EthKeystore.Decrypt(ours, "wrong")).Message.ShouldContain("wrong keystore password");
        Should.Throw<InvalidDataException>(() => EthKeystore.Decrypt("{", "x"));
    }
}
