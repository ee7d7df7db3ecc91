using System.Text.Json;
using System.Text.Json.Nodes;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Runner.Simulated.Fleet;
using LivepeerAspire.Runner.Simulated.Gpus;
using LivepeerAspire.Runner.Simulated.Profiles;
using LivepeerAspire.Runner.Simulated.Timing;

namespace LivepeerAspire.Runner.Simulated.Tests.Profiles;

public class ProfileTests
{
    private static readonly ProfileCatalog Catalog = ProfileValidator.Load(SimulatorOptions.DefaultProfilesPath);

    [Theory]
    [InlineData("RTX 4060 8GB", 8, 272)]
    [InlineData("RTX 3090", 24, 936)]
    [InlineData("RTX 4090", 24, 1008)]
    [InlineData("A100 80GB", 80, 2039)]
    [InlineData("H100 80GB", 80, 3350)]
    public void Built_in_profiles_carry_the_published_memory_and_bandwidth(string name, double vram, double bandwidth)
    {
        Catalog.TryGetGpu(name, out var gpu).ShouldBeTrue();
        gpu.VramGB.ShouldBe(vram);
        gpu.BandwidthGBs.ShouldBe(bandwidth);
        gpu.Diffusion.Keys.ShouldBe(["sd15", "sdxl", "svd", "sd-upscaler"], ignoreOrder: true);
        gpu.Llm.Keys.ShouldContain("q4_k_m");
    }

    [Fact]
    public void Every_pipeline_default_model_and_every_model_the_reference_names_is_in_the_catalog()
    {
        foreach (var pipeline in PipelineCatalog.All)
        {
            Catalog.TryGetModel(pipeline.DefaultModelId, out var model).ShouldBeTrue(pipeline.DefaultModelId);
            model.Pipelines.ShouldContain(pipeline.Name);
        }

        foreach (var id in new[]
        {
            "stabilityai/stable-video-diffusion-img2vid-xt-1-1", "SG161222/RealVisXL_V4.0_Lightning", "ByteDance/SDXL-Lightning",
            "meta-llama/Meta-Llama-3.1-8B-Instruct", "llama3.1:8b",
        })
        {
            Catalog.TryGetModel(id, out _).ShouldBeTrue(id);
        }
    }

    [Fact]
    public void Image_to_video_is_calibrated_to_the_community_reports_50_s_on_a_4090_and_517_s_on_a_4060_with_offload()
    {
        var fleet = Resolve("""
            {"gpus":[
            {"id":"fast","profile":"RTX 4090","pipeline":"image-to-video","modelId":"stabilityai/stable-video-diffusion-img2vid-xt-1-1"},
            {"id":"slow","profile":"RTX 4060 8GB","pipeline":"image-to-video","modelId":"stabilityai/stable-video-diffusion-img2vid-xt-1-1","cpuOffload":true}]}
            """);
        var fast = ServiceTimes.Diffusion(fleet.Gpus[0], 25, 1024 * 576).TotalSeconds * Placement.For(fleet.Gpus[0]).Slowdown;
        var slowPlacement = Placement.For(fleet.Gpus[1]);
        var slow = ServiceTimes.Diffusion(fleet.Gpus[1], 25, 1024 * 576).TotalSeconds * slowPlacement.Slowdown;

        fast.ShouldBe(50, 0.5);
        slowPlacement.Kind.ShouldBe(PlacementKind.CpuOffload);
        slow.ShouldBe(517, 2);
        (slow / fast).ShouldBeInRange(9.5, 11);
    }

    [Fact]
    public void Diffusion_time_scales_with_steps_and_pixels_above_the_fixed_overhead()
    {
        Catalog.TryGetGpu("RTX 4090", out var gpu).ShouldBeTrue();
        var sdxl = gpu.Diffusion["sdxl"];
        sdxl.SecondsFor(25, 1024 * 1024).ShouldBe(3.4, 1e-9);
        (sdxl.SecondsFor(50, 1024 * 1024) - sdxl.OverheadSeconds).ShouldBe(2 * (3.4 - sdxl.OverheadSeconds), 1e-9);
        (sdxl.SecondsFor(25, 512 * 1024) - sdxl.OverheadSeconds).ShouldBe((3.4 - sdxl.OverheadSeconds) / 2, 1e-9);
    }

    [Fact]
    public void A_figure_without_a_source_is_refused_with_its_json_path()
    {
        var json = JsonNode.Parse(File.ReadAllText(SimulatorOptions.DefaultProfilesPath))!;
        json["gpus"]![2]!["diffusion"]!["svd"]!.AsObject().Remove("source");

        var ex = Should.Throw<ConfigFileException>(() => LoadProfiles(json));

        ex.JsonPath.ShouldBe("$.gpus[2].diffusion.svd.source");
        ex.Reason.ShouldContain("estimate");
    }

    [Theory]
    [InlineData("$.gpus[0].vramGB", "-8", "$.gpus[0].vramGB")]
    [InlineData("$.gpus[1].llm.q4_k_m.decodeTokensPerSecond", "0", "$.gpus[1].llm.q4_k_m.decodeTokensPerSecond")]
    [InlineData("$.models[0].class", "\"sdxxl\"", "$.models[0].class")]
    [InlineData("$.batching.alpha", "2", "$.batching.alpha")]
    [InlineData("$.gpus[0].cpuOffload.svd.slowdown", "0.5", "$.gpus[0].cpuOffload.svd.slowdown")]
    [InlineData("$.gpus[3].vramGB", "\"eighty\"", "$.gpus[3].vramGB")]
    public void A_bad_profile_value_is_refused_naming_the_file_and_path(string target, string value, string expectedPath)
    {
        var json = JsonNode.Parse(File.ReadAllText(SimulatorOptions.DefaultProfilesPath))!;
        var segments = target[2..].Replace("[", ".").Replace("]", "").Split('.');
        JsonNode node = json;
        foreach (var s in segments[..^1])
        {
            node = int.TryParse(s, out var i) ? node[i]! : node[s]!;
        }

        node[segments[^1]] = JsonNode.Parse(value);

        var ex = Should.Throw<ConfigFileException>(() => LoadProfiles(json));

        ex.JsonPath.ShouldBe(expectedPath);
        ex.Message.ShouldStartWith(ex.File + ": " + expectedPath + ": ");
    }

    internal static FleetConfig Resolve(string fleetJson) =>
        FleetValidator.Resolve(JsonSerializer.Deserialize<FleetFile>(fleetJson, new JsonSerializerOptions(JsonSerializerDefaults.Web))!, "fleet.json", Catalog);

    private static ProfileCatalog LoadProfiles(JsonNode json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"profiles-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json.ToJsonString());
        try
        {
            return ProfileValidator.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
