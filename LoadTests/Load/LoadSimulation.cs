using System.Globalization;

namespace LivepeerAspire.LoadTests.Load;

/// <summary>
/// How load is applied, after NBomber's load simulations. Open models (inject, poisson, ramping-inject) fix
/// arrival times in advance, independent of how fast the target answers; the closed model (keep-constant)
/// keeps a number of copies busy, each sending its next job when the previous one ends.
/// </summary>
public abstract record LoadSimulation(TimeSpan Duration)
{
    public abstract bool IsOpen { get; }

    /// <summary>The name used on the command line.</summary>
    public abstract string Kind { get; }

    /// <summary>Mean target arrival rate over the measured phase (open models), requests per second.</summary>
    public abstract double MeanTargetRate { get; }

    public abstract string Describe();

    protected static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>Constant rate, evenly spaced arrivals (NBomber Inject).</summary>
public sealed record InjectSimulation(double Rate, TimeSpan Duration) : LoadSimulation(Duration)
{
    public override bool IsOpen => true;

    public override string Kind => "inject";

    public override double MeanTargetRate => Rate;

    public override string Describe() => $"inject {F(Rate)}/s for {F(Duration.TotalSeconds)} s (open model, evenly spaced)";
}

/// <summary>Constant mean rate with exponential gaps drawn from the seed (a Poisson process).</summary>
public sealed record PoissonSimulation(double Rate, TimeSpan Duration) : LoadSimulation(Duration)
{
    public override bool IsOpen => true;

    public override string Kind => "poisson";

    public override double MeanTargetRate => Rate;

    public override string Describe() => $"poisson {F(Rate)}/s for {F(Duration.TotalSeconds)} s (open model, seeded exponential gaps)";
}

/// <summary>Rate ramps linearly from <see cref="FromRate"/> to <see cref="ToRate"/> (NBomber RampingInject).</summary>
public sealed record RampingInjectSimulation(double FromRate, double ToRate, TimeSpan Duration) : LoadSimulation(Duration)
{
    public override bool IsOpen => true;

    public override string Kind => "ramping-inject";

    public override double MeanTargetRate => (FromRate + ToRate) / 2;

    public override string Describe() => $"ramping-inject {F(FromRate)}/s → {F(ToRate)}/s over {F(Duration.TotalSeconds)} s (open model)";
}

/// <summary>Fixed number of copies looping back to back (NBomber KeepConstant); prone to coordinated omission.</summary>
public sealed record KeepConstantSimulation(int Copies, TimeSpan Duration) : LoadSimulation(Duration)
{
    public override bool IsOpen => false;

    public override string Kind => "keep-constant";

    public override double MeanTargetRate => double.NaN;

    public override string Describe() => $"keep-constant {Copies} copies for {F(Duration.TotalSeconds)} s (closed model: latency from actual send, understates the tail)";
}
