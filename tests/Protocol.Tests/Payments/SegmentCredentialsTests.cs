using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Payments;
using static LivepeerAspire.Protocol.Tests.Eth.EthersVectors;

namespace LivepeerAspire.Protocol.Tests.Payments;

public sealed class SegmentCredentialsTests
{
    [Fact]
    public void Segment_signature_matches_ethers_and_round_trips_through_the_header()
    {
        var key = Eth.EthPrimitivesVectorTests.RandomKey(new Random(60));
        var gateway = new EthAccount(key);
        var token = new AuthToken { SessionId = "abc", Expiration = 123 };
        var header = SegmentCredentials.CreateHeader(gateway, "27_stabilityai/sd-turbo", new Capabilities { Version = "0.8.0" }, token);

        SegmentCredentials.TryDecode(header, out var data, out var error).ShouldBeTrue(error);
        data!.ManifestId.ToStringUtf8().ShouldBe("27_stabilityai/sd-turbo");
        data.AuthToken.ShouldBe(token);
        data.Profiles.ToStringUtf8().ShouldBe("invalid");
        var expected = Run([Case("segSig", ("key", Hex(key)), ("manifestId", "27_stabilityai/sd-turbo"), ("seq", 0))]);
        Hex(data.Sig.Span).ShouldBe(expected[0]!.GetValue<string>());

        SegmentCredentials.VerifySignature(data, gateway.Address).ShouldBeTrue();
        SegmentCredentials.VerifySignature(data, new EthAccount(Eth.EthPrimitivesVectorTests.RandomKey(new Random(61))).Address).ShouldBeFalse();
        data.ManifestId = Google.Protobuf.ByteString.CopyFromUtf8("28_other");
        SegmentCredentials.VerifySignature(data, gateway.Address).ShouldBeFalse();
    }

    [Theory]
    [InlineData(null, "missing Livepeer-Segment header")]
    [InlineData("***", "not standard base64")]
    [InlineData("CgQ=", "not a valid net.SegData protobuf")]
    public void Bad_segment_headers_are_refused(string? header, string message)
    {
        SegmentCredentials.TryDecode(header, out _, out var error).ShouldBeFalse();
        error.ShouldContain(message);
    }
}
