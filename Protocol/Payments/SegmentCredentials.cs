using System.Diagnostics.CodeAnalysis;
using System.Text;
using Google.Protobuf;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Net;

namespace LivepeerAspire.Protocol.Payments;

/// <summary>
/// The <c>Livepeer-Segment</c> header of AI jobs (go-livepeer seg creds): std base64 of a SegData with manifestId
/// "&lt;capId&gt;_&lt;modelId&gt;", seq 0, hash = keccak256(empty), profiles "invalid", the capabilities and auth token,
/// signed by the gateway as personal_sign(keccak256(manifestId ‖ uint256(seq) ‖ hash ‖ hex(profiles) = "")).
/// </summary>
public static class SegmentCredentials
{
    public const string HeaderName = "Livepeer-Segment";

    private static readonly byte[] EmptyHash = Keccak256.Hash(ReadOnlySpan<byte>.Empty);

    public static SegData Create(EthAccount gateway, string manifestId, Capabilities? capabilities, AuthToken? authToken, int durationMs = 0)
    {
        var data = new SegData
        {
            ManifestId = ByteString.CopyFromUtf8(manifestId),
            Seq = 0,
            Hash = ByteString.CopyFrom(EmptyHash),
            Profiles = ByteString.CopyFromUtf8("invalid"),
            Duration = durationMs,
            Capabilities = capabilities,
            AuthToken = authToken,
        };
        data.Sig = ByteString.CopyFrom(MessageSignatures.Sign(gateway, SignedBytes(data)));
        return data;
    }

    public static string Encode(SegData data) => Convert.ToBase64String(data.ToByteArray());

    public static string CreateHeader(EthAccount gateway, string manifestId, Capabilities? capabilities, AuthToken? authToken, int durationMs = 0) =>
        Encode(Create(gateway, manifestId, capabilities, authToken, durationMs));

    /// <summary>Decodes the header; failures (the orchestrator answers 403) say what is wrong.</summary>
    public static bool TryDecode(string? header, [NotNullWhen(true)] out SegData? data, [NotNullWhen(false)] out string? error)
    {
        data = null;
        if (string.IsNullOrWhiteSpace(header))
        {
            error = $"missing {HeaderName} header";
            return false;
        }

        try
        {
            data = SegData.Parser.ParseFrom(Convert.FromBase64String(header.Trim()));
            error = null;
            return true;
        }
        catch (Exception e) when (e is FormatException or InvalidProtocolBufferException)
        {
            error = $"invalid {HeaderName} header: {(e is FormatException ? "not standard base64" : "not a valid net.SegData protobuf")}";
            return false;
        }
    }

    /// <summary>True when the segment credentials carry <paramref name="sender"/>'s signature.</summary>
    public static bool VerifySignature(SegData data, EthAddress sender, ISecp256k1? crypto = null) =>
        MessageSignatures.Verify(sender, SignedBytes(data), data.Sig.Span, crypto);

    /// <summary>manifestId ‖ uint256(seq) ‖ hash (what md.Flatten gives for an AI job: no profiles).</summary>
    public static byte[] SignedBytes(SegData data)
    {
        var manifest = data.ManifestId.Span;
        var buffer = new byte[manifest.Length + 32 + data.Hash.Length];
        manifest.CopyTo(buffer);
        BigEndian.WriteWord(data.Seq < 0 ? 0 : data.Seq, buffer.AsSpan(manifest.Length));
        data.Hash.Span.CopyTo(buffer.AsSpan(manifest.Length + 32));
        return buffer;
    }
}
