using System.Diagnostics;
using LivepeerAspire.AppHost.Topology;

namespace LivepeerAspire.AppHost.Tests.Topology;

/// <summary>
/// The simulator judges GPU profiles and model fit (<c>--validate</c>); these tests stand a tiny shell script in for
/// it to pin how its answer is mapped back onto the topology file.
/// </summary>
public sealed class FleetValidatorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fleet-validator-").FullName;

    private static readonly TopologySpec Topology = TopologyReader.Parse("""
        { "orchestrators": [
            { "name": "o1", "gpus": [ { "profile": "RTX 4090", "pipeline": "text-to-image" }, { "profile": "RTX 9999", "pipeline": "llm" } ] } ] }
        """, "/work/topology.json");

    private static readonly string[] GpuPaths = ["$.orchestrators[0].gpus[0]", "$.orchestrators[0].gpus[1]"];

    private string Script(string body)
    {
        var path = Path.Combine(_dir, $"validate-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    [Fact]
    public async Task Maps_an_unknown_gpu_reported_by_the_simulator_to_the_topology_path()
    {
        var validator = Script("""echo "$2: \$.gpus[1].profile: unknown GPU profile 'RTX 9999'" >&2; exit 2""");

        var error = await Should.ThrowAsync<TopologyException>(() => FleetValidator.ValidateAsync(validator, [], "/run/fleet.json", Topology, GpuPaths));

        error.File.ShouldBe("/work/topology.json");
        error.JsonPath.ShouldBe("$.orchestrators[0].gpus[1].profile");
        error.Reason.ShouldBe("unknown GPU profile 'RTX 9999'");
    }

    [Fact]
    public async Task Maps_a_model_that_fits_no_gpu_to_the_model_member()
    {
        var validator = Script("""echo "fleet.json: \$.gpus[0].modelId: model needs 16 GB of VRAM, RTX 4060 8GB has 8 GB"; exit 2""");

        var error = await Should.ThrowAsync<TopologyException>(() => FleetValidator.ValidateAsync(validator, [], "/run/fleet.json", Topology, GpuPaths));

        error.JsonPath.ShouldBe("$.orchestrators[0].gpus[0].model");
        error.Reason.ShouldContain("16 GB of VRAM");
    }

    [Fact]
    public async Task Passes_the_fleet_file_and_accepts_exit_zero()
    {
        var marker = Path.Combine(_dir, "args.txt");
        var validator = Script($"echo \"$@\" > {marker}; exit 0");

        var warning = await FleetValidator.ValidateAsync(validator, ["Runner.Simulated.dll"], "/run/fleet.json", Topology, GpuPaths);

        warning.ShouldBeNull();
        File.ReadAllText(marker).Trim().ShouldBe("Runner.Simulated.dll --validate /run/fleet.json");
    }

    [Fact]
    public async Task A_simulator_that_starts_serving_instead_is_stopped_and_the_check_skipped()
    {
        var pidFile = Path.Combine(_dir, "pid");
        var validator = Script($"echo $$ > {pidFile}; echo 'Now listening on: http://127.0.0.1:5000'; exec sleep 60");
        var watch = Stopwatch.StartNew();

        var warning = await FleetValidator.ValidateAsync(validator, [], "/run/fleet.json", Topology, GpuPaths);

        warning.ShouldNotBeNull().ShouldContain("does not support --validate");
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30));
        Support.TestApps.ProcessIsGone(int.Parse(File.ReadAllText(pidFile).Trim())).ShouldBeTrue();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
