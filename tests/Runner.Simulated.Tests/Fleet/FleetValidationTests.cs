using LivepeerAspire.Runner.Simulated.Fleet;
using LivepeerAspire.Runner.Simulated.Profiles;
using LivepeerAspire.Runner.Simulated.Tests.Support;

namespace LivepeerAspire.Runner.Simulated.Tests.Fleet;

public class FleetValidationTests
{
    private static readonly ProfileCatalog Catalog = ProfileValidator.Load(SimulatorOptions.DefaultProfilesPath);

    [Fact]
    public void A_minimal_gpu_gets_the_pipeline_default_model_and_the_documented_defaults()
    {
        var fleet = Load("""{"timeScale":0.5,"gpus":[{"id":"a","profile":"rtx 4090","pipeline":"image-to-video"}]}""");

        var gpu = fleet.Gpus.ShouldHaveSingleItem();
        fleet.TimeScale.ShouldBe(0.5);
        fleet.Seed.ShouldBe(42);
        gpu.ModelId.ShouldBe("stabilityai/stable-video-diffusion-img2vid-xt");
        gpu.Warm.ShouldBeTrue();
        gpu.Parallelism.ShouldBe(1);
        gpu.QueueLimit.ShouldBe(FleetValidator.DefaultQueueLimit);
        gpu.NoiseCv.ShouldBe(FleetValidator.DefaultNoiseCv);
        gpu.Runtime.ShouldBe("diffusers");
    }

    [Fact]
    public void The_time_scale_and_seed_options_override_the_file()
    {
        var path = Write("""{"timeScale":0.5,"seed":1,"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"llm"}]}""");
        var fleet = FleetValidator.Load(path, Catalog, timeScaleOverride: 0.01, seedOverride: 9);
        fleet.TimeScale.ShouldBe(0.01);
        fleet.Seed.ShouldBe(9);
    }

    [Theory]
    [InlineData("""{"gpus":[{"id":"a","profile":"GTX 1080","pipeline":"llm"}]}""", "$.gpus[0].profile", "unknown GPU profile 'GTX 1080'")]
    [InlineData("""{"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"text-to-music"}]}""", "$.gpus[0].pipeline", "unknown pipeline")]
    [InlineData("""{"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"llm","modelId":"stabilityai/sdxl-turbo"}]}""", "$.gpus[0].modelId", "does not serve llm")]
    [InlineData("""{"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"llm","modelId":"nobody/nothing"}]}""", "$.gpus[0].modelId", "not in the profile catalog")]
    [InlineData("""{"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"llm"},{"id":"a","profile":"RTX 3090","pipeline":"llm"}]}""", "$.gpus[1].id", "used twice")]
    [InlineData("""{"gpus":[{"id":"a/b","profile":"RTX 4090","pipeline":"llm"}]}""", "$.gpus[0].id", "not a usable id")]
    [InlineData("""{"timeScale":0,"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"llm"}]}""", "$.timeScale", "above 0")]
    [InlineData("""{"gpus":[]}""", "$.gpus", "no GPUs")]
    [InlineData("""{"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"llm","quantization":"q2"}]}""", "$.gpus[0].quantization", "no quantization 'q2'")]
    [InlineData("""{"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"llm","keepAlive":"five minutes"}]}""", "$.gpus[0].keepAlive", "not a duration")]
    [InlineData("""{"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"llm","parallelism":0}]}""", "$.gpus[0].parallelism", "between 1 and 256")]
    [InlineData("""{"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"llm","noiseCv":3}]}""", "$.gpus[0].noiseCv", "between 0 and 1")]
    [InlineData("""{"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"llm","pipline":"x"}]}""", "$.gpus[0].pipline", "could not be mapped")]
    [InlineData("""{"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"llm","warm":"yes"}]}""", "$.gpus[0].warm", "could not be converted")]
    [InlineData("""{"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"llm","faults":[{"kind":"meltdown"}]}]}""", "$.gpus[0].faults[0].kind", "unknown fault kind")]
    [InlineData("""{"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"llm","faults":[{"kind":"slow"}]}]}""", "$.gpus[0].faults[0].factor", "positive factor")]
    [InlineData("""{"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"llm","faults":[{"kind":"errors","rate":1.5}]}]}""", "$.gpus[0].faults[0].rate", "between 0 and 1")]
    [InlineData("""{"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"llm","faults":[{"kind":"hang","factor":2}]}]}""", "$.gpus[0].faults[0].factor", "does not apply to a 'hang' fault")]
    [InlineData("""{"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"text-to-image","faults":[{"kind":"stall"}]}]}""", "$.gpus[0].faults[0].kind", "llm GPUs only")]
    [InlineData("""{"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"llm","faults":[{"kind":"flap","periodSeconds":5,"forSeconds":-1}]}]}""", "$.gpus[0].faults[0].forSeconds", "must be positive")]
    public void A_bad_fleet_is_refused_naming_the_file_the_json_path_and_the_reason(string json, string path, string reason)
    {
        var file = Write(json);

        var ex = Should.Throw<ConfigFileException>(() => FleetValidator.Load(file, Catalog));

        ex.File.ShouldBe(file);
        ex.JsonPath.ShouldBe(path);
        ex.Reason.ShouldContain(reason);
        ex.Message.ShouldBe($"{file}: {path}: {ex.Reason}");
    }

    [Fact]
    public void Validate_mode_exits_0_for_a_good_file_and_2_with_one_line_for_a_bad_one()
    {
        var good = Write("""{"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"llm"}]}""");
        var bad = Write("""{"gpus":[{"id":"a","profile":"RTX 4090","pipeline":"llm","faults":[{"kind":"slow","factor":-2}]}]}""");
        var output = new StringWriter();

        ValidateCommand.TryRun(["--validate", good], output, out var okCode).ShouldBeTrue();
        okCode.ShouldBe(0);
        ValidateCommand.TryRun(["--validate", bad], output, out var badCode).ShouldBeTrue();
        badCode.ShouldBe(2);
        ValidateCommand.TryRun(["--validate", SimulatorOptions.DefaultProfilesPath], output, out var profileCode).ShouldBeTrue();
        profileCode.ShouldBe(0);
        ValidateCommand.TryRun(["--urls", "http://127.0.0.1:0"], output, out _).ShouldBeFalse();

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(3);
        lines[1].ShouldBe($"{bad}: $.gpus[0].faults[0].factor: a slow fault needs a positive factor (10 = ten times slower)");
    }

    [Fact]
    public async Task The_service_refuses_to_start_on_an_invalid_fleet_file()
    {
        var ex = await Should.ThrowAsync<ConfigFileException>(async () =>
        {
            await using var host = new SimulatorHost("""{"gpus":[{"id":"a","profile":"RTX 9090","pipeline":"llm"}]}""");
        });
        ex.JsonPath.ShouldBe("$.gpus[0].profile");
    }

    private static FleetConfig Load(string json) => FleetValidator.Load(Write(json), Catalog);

    private static string Write(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"fleet-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }
}
