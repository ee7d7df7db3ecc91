using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using LivepeerAspire.Protocol.Net;

namespace LivepeerAspire.Protocol.Payments;

/// <summary>The <c>Livepeer-Payment</c> header: standard base64 of the protobuf net.Payment.</summary>
public static class PaymentHeader
{
    public const string Name = "Livepeer-Payment";

    /// <summary>
    /// go's net/http header limit (1 MiB). Each ticket adds about 100 base64 characters, so a payment at the default
    /// limits (EV 8e9 wei, maxTotalEV 2e13 wei) can reach 250 kB: raise Kestrel's MaxRequestHeadersTotalSize (32 kB
    /// by default) and HTTP/2 MaxRequestHeaderFieldSize (16 kB) to this on the orchestrator.
    /// </summary>
    public const int MaxHeaderBytes = 1 << 20;

    public static string Encode(Payment payment) => Convert.ToBase64String(payment.ToByteArray());

    /// <summary>
    /// Decodes the header; an absent or empty header is an empty payment (as in go-livepeer). A value that is not base64
    /// or not a complete protobuf gives a message saying so (the orchestrator answers 402 with it).
    /// </summary>
    public static bool TryDecode(string? header, [NotNullWhen(true)] out Payment? payment, [NotNullWhen(false)] out string? error)
    {
        payment = null;
        if (string.IsNullOrEmpty(header))
        {
            payment = new Payment();
            error = null;
            return true;
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(header.Trim());
        }
        catch (FormatException)
        {
            error = $"invalid {Name} header: not standard base64";
            return false;
        }

        try
        {
            payment = Payment.Parser.ParseFrom(bytes);
            error = null;
            return true;
        }
        catch (InvalidProtocolBufferException e)
        {
            error = $"invalid {Name} header: not a valid net.Payment protobuf ({e.Message})";
            return false;
        }
    }
}
