using LivepeerAspire.Runner.Simulated.Fleet;

namespace LivepeerAspire.Runner.Simulated.Faults;

/// <summary>A fault in effect since <see cref="Since"/> (simulated time), from the fleet file or the admin API.</summary>
public sealed record ActiveFault(FaultSpec Spec, TimeSpan Since, string Origin)
{
    public string Kind => Spec.Kind;

    /// <summary>Crash, or the down half of a flap: the GPU refuses connections.</summary>
    public bool IsDown(TimeSpan simNow)
    {
        if (Kind == FaultKinds.Crash)
        {
            return true;
        }

        if (Kind != FaultKinds.Flap || Spec.PeriodSeconds is not { } period)
        {
            return false;
        }

        // Up for one period, then down for one period, from the moment the fault starts.
        var phase = (long)Math.Floor((simNow - Since).TotalSeconds / period);
        return phase % 2 == 1;
    }
}
