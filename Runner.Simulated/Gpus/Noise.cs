namespace LivepeerAspire.Runner.Simulated.Gpus;

/// <summary>
/// Service-time noise: a log-normal multiplier with mean 1 and the given coefficient of variation, clamped to
/// [1 − 3·cv, 1 + 3·cv] (at least 0.05) so every job stays within a stated bound.
/// </summary>
public static class Noise
{
    public static (double Low, double High) Bounds(double cv) => (Math.Max(0.05, 1 - 3 * cv), 1 + 3 * cv);

    public static double Multiplier(Random random, double cv)
    {
        if (cv <= 0)
        {
            return 1;
        }

        var sigma2 = Math.Log(1 + cv * cv);
        var sigma = Math.Sqrt(sigma2);
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        var z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        var value = Math.Exp(-sigma2 / 2 + sigma * z);
        var (low, high) = Bounds(cv);
        return Math.Clamp(value, low, high);
    }

    /// <summary>A stable seed for one random stream of one GPU (string.GetHashCode is randomised per process).</summary>
    public static int StreamSeed(int fleetSeed, string gpuId, string stream)
    {
        unchecked
        {
            var hash = 2166136261u ^ (uint)fleetSeed;
            foreach (var c in gpuId + "/" + stream)
            {
                hash = (hash ^ c) * 16777619u;
            }

            return (int)(hash & 0x7FFFFFFF);
        }
    }
}
