namespace LivepeerAspire.Gateway.Sessions;

/// <summary>
/// go-livepeer's suspender (server/suspensions.go): an orchestrator is out until the refresh count passes the
/// value stored at removal. With penalty 3 a removed orchestrator is left out of the next 3 refreshes and comes
/// back on the 4th (every refresh signals before it checks).
/// </summary>
public sealed class Suspender
{
    private readonly Dictionary<string, long> list = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private long count;

    public long Count
    {
        get
        {
            lock (gate)
            {
                return count;
            }
        }
    }

    public int SuspendedCount
    {
        get
        {
            lock (gate)
            {
                return list.Count(e => e.Value >= count);
            }
        }
    }

    public IReadOnlyList<string> Keys
    {
        get
        {
            lock (gate)
            {
                return list.Where(e => e.Value >= count).Select(e => e.Key).ToList();
            }
        }
    }

    public void SignalRefresh()
    {
        lock (gate)
        {
            count++;
        }
    }

    /// <summary>0 if not suspended (and forgets an expired entry), else the refresh count it is suspended until.</summary>
    public long Suspended(string orchestrator)
    {
        lock (gate)
        {
            if (!list.TryGetValue(orchestrator, out var until))
            {
                return 0;
            }

            if (until < count)
            {
                list.Remove(orchestrator);
                return 0;
            }

            return until;
        }
    }

    /// <summary>Suspends for <paramref name="penalty"/> refreshes from now; an existing suspension is replaced, not added to.</summary>
    public void Suspend(string orchestrator, long penalty)
    {
        lock (gate)
        {
            list[orchestrator] = count + penalty;
        }
    }

    /// <summary>How many more refreshes keep the orchestrator out (0 = not suspended).</summary>
    public long RefreshesLeft(string orchestrator)
    {
        var until = Suspended(orchestrator);
        lock (gate)
        {
            return until == 0 ? 0 : until - count + 1;
        }
    }
}
