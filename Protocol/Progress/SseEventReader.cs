using System.Buffers;
using System.Text;

namespace LivepeerAspire.Protocol.Progress;

/// <summary>One server-sent event: its <c>event:</c> name ("message" when absent) and its joined <c>data:</c> lines.</summary>
public readonly record struct SseEvent(string Name, string Data);

/// <summary>
/// Cuts bytes as they arrive into server-sent events (blank-line separated, <c>event:</c> and <c>data:</c> fields,
/// CRLF or LF). Feed it any split of the stream; it keeps the partial tail.
/// </summary>
public sealed class SseEventReader
{
    private readonly ArrayBufferWriter<byte> pending = new(4096);
    private string? name;
    private StringBuilder? data;

    public List<SseEvent> Feed(ReadOnlySpan<byte> bytes)
    {
        var events = new List<SseEvent>();
        pending.Write(bytes);
        var consumed = 0;
        while (true)
        {
            var rest = pending.WrittenSpan[consumed..];
            var newline = rest.IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            var line = rest[..newline].TrimEnd((byte)'\r');
            consumed += newline + 1;
            if (line.IsEmpty)
            {
                if (data is not null)
                {
                    events.Add(new SseEvent(name ?? "message", data.ToString()));
                }

                name = null;
                data = null;
            }
            else if (line.StartsWith("event:"u8))
            {
                name = Encoding.UTF8.GetString(line[6..]).Trim();
            }
            else if (line.StartsWith("data:"u8))
            {
                var text = Encoding.UTF8.GetString(line[5..]);
                text = text.StartsWith(' ') ? text[1..] : text;
                data = data is null ? new StringBuilder(text) : data.Append('\n').Append(text);
            }
        }

        if (consumed > 0)
        {
            var left = pending.WrittenSpan[consumed..].ToArray();
            pending.ResetWrittenCount();
            pending.Write(left);
        }

        return events;
    }

    /// <summary>Formats one event for the wire.</summary>
    public static byte[] Format(string eventName, string data) =>
        Encoding.UTF8.GetBytes($"event: {eventName}\ndata: {data.Replace("\n", "\ndata: ", StringComparison.Ordinal)}\n\n");
}
