namespace LivepeerAspire.LoadTests.Jobs;

/// <summary>A weighted mix of job kinds; <see cref="Pick"/> turns a uniform draw into a kind.</summary>
public sealed class JobMix
{
    private readonly (JobKind Kind, double Weight)[] entries;
    private readonly double total;

    public JobMix(IEnumerable<(JobKind Kind, double Weight)> entries)
    {
        this.entries = entries.Where(e => e.Weight > 0).ToArray();
        if (this.entries.Length == 0)
        {
            throw new ArgumentException("a job mix needs at least one kind with a positive weight");
        }

        total = this.entries.Sum(e => e.Weight);
    }

    public IReadOnlyList<(JobKind Kind, double Weight)> Entries => entries;

    public JobKind Pick(double uniform01)
    {
        var target = uniform01 * total;
        var acc = 0.0;
        foreach (var (kind, weight) in entries)
        {
            acc += weight;
            if (target < acc)
            {
                return kind;
            }
        }

        return entries[^1].Kind;
    }

    public override string ToString() =>
        string.Join(", ", entries.Select(e => $"{e.Kind.Name()} {e.Weight / total:P0}"));
}
