using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace LivepeerAspire.Orchestrator.Tests.Grpc;

/// <summary>
/// A bare HTTP/2-over-TLS client that writes frames by hand, for a client no library lets us be: one that sends the
/// headers and part of a gRPC message on stream 1 and then stalls.
/// </summary>
internal sealed class RawHttp2Client : IAsyncDisposable
{
    private const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, GoAway = 0x7;
    private readonly TcpClient tcp;
    private readonly SslStream tls;

    private RawHttp2Client(TcpClient tcp, SslStream tls)
    {
        this.tcp = tcp;
        this.tls = tls;
    }

    public static async Task<RawHttp2Client> ConnectAsync(Uri url)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(url.Host, url.Port);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", ApplicationProtocols = [SslApplicationProtocol.Http2] });
        await tls.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await WriteFrameAsync(tls, Settings, 0, 0, []);
        return new RawHttp2Client(tcp, tls);
    }

    /// <summary>HEADERS for a gRPC call on stream 1, then a DATA frame with the given bytes and no END_STREAM.</summary>
    public async Task SendPartialCallAsync(Uri url, string path, byte[] partialBody)
    {
        var block = new MemoryStream();
        foreach (var (name, value) in new[]
        {
            (":method", "POST"), (":scheme", "https"), (":path", path), (":authority", url.Authority),
            ("content-type", "application/grpc"), ("te", "trailers"),
        })
        {
            // HPACK "literal header field without indexing, new name", no Huffman coding; every string here is < 127 bytes.
            block.WriteByte(0x00);
            block.WriteByte((byte)name.Length);
            block.Write(Encoding.ASCII.GetBytes(name));
            block.WriteByte((byte)value.Length);
            block.Write(Encoding.ASCII.GetBytes(value));
        }

        await WriteFrameAsync(tls, Headers, flags: 0x4, streamId: 1, block.ToArray());
        await WriteFrameAsync(tls, Data, flags: 0, streamId: 1, partialBody);
    }

    /// <summary>Reads frames until the server ends stream 1 (RST_STREAM) or the connection (GOAWAY or close); returns which.</summary>
    public async Task<string> WaitForStreamEndAsync(CancellationToken cancellationToken)
    {
        var header = new byte[9];
        while (true)
        {
            if (!await ReadExactlyOrEndAsync(header, cancellationToken))
            {
                return "connection closed";
            }

            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            var type = header[3];
            var flags = header[4];
            var stream = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7FFFFFFF;
            var payload = new byte[length];
            if (!await ReadExactlyOrEndAsync(payload, cancellationToken))
            {
                return "connection closed";
            }

            if (type == Settings && (flags & 0x1) == 0)
            {
                await WriteFrameAsync(tls, Settings, 0x1, 0, []);
            }
            else if (type == RstStream && stream == 1)
            {
                return "RST_STREAM";
            }
            else if (type == GoAway)
            {
                return "GOAWAY";
            }
            else if (type == Headers && stream == 1 && (flags & 0x1) != 0)
            {
                return "END_STREAM";
            }
        }
    }

    private async Task<bool> ReadExactlyOrEndAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            await tls.ReadExactlyAsync(buffer, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            return false;
        }
    }

    private static async Task WriteFrameAsync(Stream stream, byte type, byte flags, int streamId, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId);
        payload.CopyTo(frame, 9);
        await stream.WriteAsync(frame);
        await stream.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await tls.DisposeAsync();
        tcp.Dispose();
    }
}
