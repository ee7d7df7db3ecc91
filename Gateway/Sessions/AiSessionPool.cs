namespace LivepeerAspire.Gateway.Sessions;

/// <summary>The warm or the cold pool of one (capability, model) selector.</summary>
public sealed class AiSessionPool(bool warm)
{
    private readonly Dictionary<string, AiSession> sessions = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public bool Warm { get; } = warm;

    public int Count
    {
        get
        {
            lock (gate)
            {
                return sessions.Count;
            }
        }
    }

    public IReadOnlyList<AiSession> Sessions
    {
        get
        {
            lock (gate)
            {
                return sessions.Values.OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
            }
        }
    }

    public bool Contains(string key)
    {
        lock (gate)
        {
            return sessions.ContainsKey(key);
        }
    }

    public void AddOrUpdate(AiSession session)
    {
        lock (gate)
        {
            sessions[session.Key] = session;
        }
    }

    public AiSession? Get(string key)
    {
        lock (gate)
        {
            return sessions.GetValueOrDefault(key);
        }
    }

    public bool Remove(string key)
    {
        lock (gate)
        {
            return sessions.Remove(key);
        }
    }
}
