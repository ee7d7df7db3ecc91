using System.CommandLine;
using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Reports;

namespace LivepeerAspire.LoadTests;

/// <summary>The command line: <c>run</c>, <c>compare</c>, <c>list</c> and the experiments.</summary>
public static class LoadTestCli
{
    public static Task<int> RunAsync(string[] args) => RunAsync(args, new CliContext
    {
        Args = args,
        ShowProgress = !Console.IsOutputRedirected && !Console.IsErrorRedirected,
    });

    public static async Task<int> RunAsync(string[] args, CliContext context)
    {
        var root = Build(context);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            await context.Error.WriteLineAsync($"error: {parse.Errors[0].Message} (see --help)");
            return 2;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = context.Out, Error = context.Error, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            await context.Error.WriteLineAsync($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await context.Error.WriteLineAsync("cancelled");
            return 130;
        }
        catch (IOException e)
        {
            await context.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
        catch (UnauthorizedAccessException e)
        {
            await context.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }

    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand("LivepeerAspire load tests: open- and closed-model load against the gateway, stats, experiments and reports.");
        var common = new CommonOptions();
        root.Add(RunCommand.Create(common, () => context));
        root.Add(CompareCommand(context));
        root.Add(ListCommand(context));
        root.Add(Experiments.Overhead.YarpHop.Create());
        foreach (var experiment in Experiments.ExperimentCommands.Create(context))
        {
            root.Add(experiment);
        }

        return root;
    }

    private static Command CompareCommand(CliContext context)
    {
        var current = new Argument<string>("report") { Description = "the newer report folder or summary.json" };
        var baseline = new Argument<string>("baseline") { Description = "the earlier report folder or summary.json" };
        var command = new Command("compare", "Compare a report with an earlier summary.json; writes compare.md next to the newer one.") { current, baseline };
        command.SetAction(async p =>
        {
            var now = ReportFiles.ReadSummary(p.GetValue(current)!);
            var before = ReportFiles.ReadSummary(p.GetValue(baseline)!);
            var md = ReportComparer.RenderMarkdown(now, before);
            var folder = Directory.Exists(p.GetValue(current)) ? p.GetValue(current)! : Path.GetDirectoryName(Path.GetFullPath(p.GetValue(current)!))!;
            await File.WriteAllTextAsync(Path.Combine(folder, "compare.md"), md);
            await context.Out.WriteAsync(md);
            return 0;
        });
        return command;
    }

    private static Command ListCommand(CliContext context)
    {
        var command = new Command("list", "List the built-in scenarios, job kinds and load simulations.");
        command.SetAction(async _ =>
        {
            foreach (var s in ScenarioCatalog.BuiltIn)
            {
                await context.Out.WriteLineAsync($"scenario {s.Name,-16} {s.Description}");
            }

            await context.Out.WriteLineAsync("job kinds: " + string.Join(", ", JobKinds.All.Select(k => k.Name())));
            await context.Out.WriteLineAsync("load simulations: " + string.Join(", ", Load.LoadArguments.Kinds));
            return 0;
        });
        return command;
    }
}
