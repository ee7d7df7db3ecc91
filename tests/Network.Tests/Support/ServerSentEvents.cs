using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace LivepeerAspire.Network.Tests.Support;

public sealed record SseEvent(string Data, TimeSpan ArrivedAfter);

public static class ServerSentEvents
{
    /// <summary>Reads <c>data:</c> events one at a time as they arrive, with the time each arrived.</summary>
    public static async IAsyncEnumerable<SseEvent> ReadAsync(HttpResponseMessage response, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                yield return new SseEvent(line["data:".Length..].Trim(), clock.Elapsed);
            }
        }
    }
}
