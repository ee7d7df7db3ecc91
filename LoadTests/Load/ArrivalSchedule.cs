namespace LivepeerAspire.LoadTests.Load;

/// <summary>
/// Intended send times of an open-model run, as offsets from its start: the warm-up phase at the starting
/// rate, then the measured phase. Everything comes from the simulation and the seed.
/// </summary>
public static class ArrivalSchedule
{
    public static IReadOnlyList<TimeSpan> Create(LoadSimulation simulation, TimeSpan warmUp, int maxRequests, int seed)
    {
        if (!simulation.IsOpen)
        {
            throw new ArgumentException("a closed-model simulation has no arrival schedule", nameof(simulation));
        }

        var result = new List<TimeSpan>();
        var end = (warmUp + simulation.Duration).TotalSeconds;
        var warm = warmUp.TotalSeconds;
        switch (simulation)
        {
            case InjectSimulation inject:
                for (long k = 0; result.Count < maxRequests; k++)
                {
                    var t = k / inject.Rate;
                    if (t >= end)
                    {
                        break;
                    }

                    result.Add(TimeSpan.FromSeconds(t));
                }

                break;

            case PoissonSimulation poisson:
                var random = new Random(seed);
                var now = 0.0;
                while (result.Count < maxRequests)
                {
                    now += -Math.Log(1 - random.NextDouble()) / poisson.Rate;
                    if (now >= end)
                    {
                        break;
                    }

                    result.Add(TimeSpan.FromSeconds(now));
                }

                break;

            case RampingInjectSimulation ramp:
                if (ramp.FromRate > 0)
                {
                    for (long k = 0; result.Count < maxRequests && k / ramp.FromRate < warm; k++)
                    {
                        result.Add(TimeSpan.FromSeconds(k / ramp.FromRate));
                    }
                }

                // Cumulative intensity over the ramp: L(t) = a t² + b t; arrival j sits where L(t) = j.
                var d = simulation.Duration.TotalSeconds;
                var a = (ramp.ToRate - ramp.FromRate) / (2 * d);
                var b = ramp.FromRate;
                for (long j = 0; result.Count < maxRequests; j++)
                {
                    var disc = (b * b) + (4 * a * j);
                    if (disc < 0)
                    {
                        break;
                    }

                    var denominator = b + Math.Sqrt(disc);
                    if (denominator <= 0)
                    {
                        if (j == 0)
                        {
                            continue;
                        }

                        break;
                    }

                    var t = 2 * j / denominator;
                    if (t >= d)
                    {
                        break;
                    }

                    result.Add(TimeSpan.FromSeconds(warm + t));
                }

                break;

            default:
                throw new ArgumentException($"unsupported simulation {simulation.Kind}", nameof(simulation));
        }

        return result;
    }
}
