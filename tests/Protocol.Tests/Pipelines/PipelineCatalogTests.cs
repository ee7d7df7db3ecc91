using LivepeerAspire.Protocol.Pipelines;

namespace LivepeerAspire.Protocol.Tests.Pipelines;

public sealed class PipelineCatalogTests
{
    [Theory]
    [InlineData("text-to-image", 27)]
    [InlineData("image-to-image", 28)]
    [InlineData("image-to-video", 29)]
    [InlineData("upscale", 30)]
    [InlineData("audio-to-text", 31)]
    [InlineData("segment-anything-2", 32)]
    [InlineData("llm", 33)]
    [InlineData("image-to-text", 34)]
    [InlineData("text-to-speech", 36)]
    public void Capability_ids_are_go_livepeers(string name, int capabilityId)
    {
        PipelineCatalog.Get(name).CapabilityId.ShouldBe(capabilityId);
        PipelineCatalog.TryGet(capabilityId, out var byId).ShouldBeTrue();
        byId!.Name.ShouldBe(name);
    }

    [Fact]
    public void Manifest_id_joins_capability_and_model_like_go_livepeer()
    {
        PipelineCatalog.TextToImage.ManifestId("stabilityai/sd-turbo").ShouldBe("27_stabilityai/sd-turbo");
    }

    [Fact]
    public void Unknown_pipeline_names_the_known_ones()
    {
        var error = Should.Throw<ArgumentException>(() => PipelineCatalog.Get("text-to-3d"));
        error.Message.ShouldContain("text-to-image");
    }
}
