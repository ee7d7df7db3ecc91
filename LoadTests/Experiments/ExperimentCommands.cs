using System.CommandLine;

namespace LivepeerAspire.LoadTests.Experiments;

/// <summary>The experiment commands (selection, failover, deadline, overhead, progress, chaos, scale-out).</summary>
public static class ExperimentCommands
{
    public static IEnumerable<Command> Create(CliContext context) =>
    [
        SelectionExperiment.Create(context),
        FailoverExperiment.Create(context),
        DeadlineExperiment.Create(context),
        OverheadExperiment.Create(context),
        ProgressExperiment.Create(context),
        Chaos.ChaosExperiment.Create(context),
        ScaleOut.ScaleOutExperiment.Create(context),
    ];
}
