using LivepeerAspire.LoadTests.Load;

namespace LivepeerAspire.LoadTests.Jobs;

/// <summary>One request of a run as planned before it starts: its index, kind and (open model) intended send time.</summary>
public sealed record PlannedRequest(int Index, JobKind Kind, TimeSpan? Intended);

/// <summary>The deterministic plan of a run: the same scenario, simulation and seed always give the same plan.</summary>
public sealed record JobPlan(IReadOnlyList<PlannedRequest> Requests, TimeSpan WarmUp, LoadSimulation Simulation, int Seed)
{
    public static JobPlan Create(Scenario scenario, LoadSimulation simulation, TimeSpan warmUp, int maxRequests, int seed)
    {
        // Separate streams so that changing the mix does not move the arrival times, and vice versa.
        var kinds = new Random(unchecked((seed * 7919) + 104729));
        if (simulation.IsOpen)
        {
            var arrivals = ArrivalSchedule.Create(simulation, warmUp, maxRequests, seed);
            var list = new PlannedRequest[arrivals.Count];
            for (var i = 0; i < arrivals.Count; i++)
            {
                list[i] = new PlannedRequest(i, scenario.Mix.Pick(kinds.NextDouble()), arrivals[i]);
            }

            return new JobPlan(list, warmUp, simulation, seed);
        }

        var closed = new PlannedRequest[maxRequests];
        for (var i = 0; i < maxRequests; i++)
        {
            closed[i] = new PlannedRequest(i, scenario.Mix.Pick(kinds.NextDouble()), null);
        }

        return new JobPlan(closed, warmUp, simulation, seed);
    }
}
