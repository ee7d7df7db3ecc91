namespace LivepeerAspire.AppHost.Hosting;

public sealed record LogLine(long Sequence, DateTimeOffset Time, string Stream, string Text);

/// <summary>
/// The last N console lines of one resource instance, for the dashboard's live tail. Lines carry an
/// increasing sequence number so a client can ask for "everything after the last line I saw".
/// </summary>
public sealed class LogBuffer(int capacity = 2000)
{
    private readonly Queue<LogLine> _lines = new();
    private readonly Lock _gate = new();
    private long _sequence;

    public void Add(string stream, string text, DateTimeOffset time)
    {
        lock (_gate)
        {
            _lines.Enqueue(new LogLine(++_sequence, time, stream, text));
            while (_lines.Count > capacity)
            {
                _lines.Dequeue();
            }
        }
    }

    public IReadOnlyList<LogLine> After(long sequence, int max = 1000)
    {
        lock (_gate)
        {
            return _lines.Where(l => l.Sequence > sequence).TakeLast(max).ToList();
        }
    }

    public IReadOnlyList<LogLine> Tail(int count)
    {
        lock (_gate)
        {
            return _lines.TakeLast(count).ToList();
        }
    }
}
