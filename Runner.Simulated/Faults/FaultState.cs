using LivepeerAspire.Runner.Simulated.Fleet;

namespace LivepeerAspire.Runner.Simulated.Faults;

/// <summary>
/// The faults of one GPU: the scripted ones from the fleet file (each active in [atSeconds, atSeconds +
/// forSeconds) of simulated time) and at most one set through the admin API, which takes precedence.
/// Clearing removes both, so a cleared GPU stays healthy.
/// </summary>
public sealed class FaultState(IReadOnlyList<FaultSpec> scripted)
{
    private readonly Lock gate = new();
    private ActiveFault? admin;
    private TimeSpan? adminUntil;
    private bool scriptedCleared;

    public ActiveFault? Current(TimeSpan simNow)
    {
        lock (gate)
        {
            if (admin is not null)
            {
                if (adminUntil is null || simNow < adminUntil)
                {
                    return admin;
                }

                admin = null;
                adminUntil = null;
            }

            if (scriptedCleared)
            {
                return null;
            }

            foreach (var spec in scripted)
            {
                var at = TimeSpan.FromSeconds(spec.AtSeconds ?? 0);
                var end = spec.ForSeconds is { } d ? at + TimeSpan.FromSeconds(d) : TimeSpan.MaxValue;
                if (simNow >= at && simNow < end)
                {
                    return new ActiveFault(spec, at, "fleet file");
                }
            }

            return null;
        }
    }

    public void Set(FaultSpec spec, TimeSpan simNow)
    {
        lock (gate)
        {
            admin = new ActiveFault(spec, simNow, "admin");
            adminUntil = spec.ForSeconds is { } d ? simNow + TimeSpan.FromSeconds(d) : null;
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            admin = null;
            adminUntil = null;
            scriptedCleared = true;
        }
    }
}
