namespace LivepeerAspire.Protocol.Pipelines.Contracts;

/// <summary>
/// A job's size in two measures. <see cref="Paid"/> is what go-livepeer prepays and debits (units × price = fee);
/// <see cref="Work"/> is the denominator of go-livepeer's AI latency score, so seconds / Work is the score.
/// </summary>
public readonly record struct JobUnits(long Paid, double Work);
