using LivepeerAspire.Gateway.Discovery;

namespace LivepeerAspire.Gateway.Tests.Discovery;

public sealed class MinLivepeerVersionTests
{
    [Theory]
    [InlineData("0.8.0", 0, 8, 0)]
    [InlineData("v0.7.9", 0, 7, 9)]
    [InlineData("1.2", 1, 2, 0)]
    [InlineData("3", 3, 0, 0)]
    [InlineData("0.8.1-rc.1", 0, 8, 1)]
    [InlineData("0.8.1+build.5", 0, 8, 1)]
    [InlineData("0.8.1-dirty+abc", 0, 8, 1)]
    public void Versions_parse_leniently_and_lose_their_suffixes(string text, int major, int minor, int patch)
    {
        SemanticVersion.TryParse(text, out var version).ShouldBeTrue();
        version.ShouldBe(new SemanticVersion((ulong)major, (ulong)minor, (ulong)patch));
    }

    [Theory]
    [InlineData("")]
    [InlineData("latest")]
    [InlineData("0.8.x")]
    [InlineData("1.2.3.4")]
    [InlineData(" 1.2.3")]
    [InlineData("1.2.3\n")]
    [InlineData("V1.2.3")]
    [InlineData("1.2.3-01")]
    [InlineData("1.2.3-")]
    [InlineData("99999999999999999999.0.0")]
    public void Malformed_versions_do_not_parse(string text) =>
        SemanticVersion.TryParse(text, out _).ShouldBeFalse();

    [Fact]
    public void Without_a_minimum_every_orchestrator_passes()
    {
        MinLivepeerVersion.TryCreate("", out var none).ShouldBeTrue();
        none.IsSet.ShouldBeFalse();
        none.Rejects("").ShouldBeNull();
        none.Rejects("undefined").ShouldBeNull();
        none.Rejects("garbage").ShouldBeNull();
    }

    [Theory]
    [InlineData("0.8.0")]
    [InlineData("0.8.1")]
    [InlineData("v0.9.0")]
    [InlineData("1.0.0")]
    [InlineData("0.8.0-rc1")]
    public void Same_or_newer_versions_pass(string advertised)
    {
        Minimum("0.8.0").Rejects(advertised).ShouldBeNull();
    }

    [Fact]
    public void Pre_release_suffixes_are_ignored_on_both_sides()
    {
        // go-livepeer's runners tag post-releases with a suffix, so 0.8.1-beta counts as 0.8.1 either way.
        Minimum("0.8.1-beta").Rejects("0.8.1").ShouldBeNull();
        Minimum("0.8.1").Rejects("0.8.1-beta").ShouldBeNull();
        Minimum("0.8.1").Rejects("0.8.0-zzz").ShouldNotBeNull();
    }

    [Theory]
    [InlineData("", "no version")]
    [InlineData(null, "no version")]
    [InlineData("undefined", "no version")]
    [InlineData("dev-build", "not a semantic version")]
    [InlineData("0.7.9", "older than")]
    [InlineData("0.7.99-rc9", "older than")]
    public void Empty_undefined_unparseable_and_older_versions_fail(string? advertised, string reason)
    {
        Minimum("0.8.0").Rejects(advertised).ShouldNotBeNull().ShouldContain(reason);
    }

    [Theory]
    [InlineData("latest")]
    [InlineData(">=0.8.0")]
    [InlineData("0.8.0.1")]
    public void A_minimum_that_does_not_parse_is_refused_at_validation(string minimum)
    {
        var errors = new DiscoveryOptions { OrchMinLivepeerVersion = minimum }.Validate().ToList();
        errors.ShouldHaveSingleItem().ShouldContain($"Discovery:OrchMinLivepeerVersion '{minimum}' is not a semantic version");
    }

    [Theory]
    [InlineData("0.8")]
    [InlineData("v0.8.0-rc1")]
    public void A_short_or_suffixed_minimum_is_valid(string minimum) =>
        new DiscoveryOptions { OrchMinLivepeerVersion = minimum }.Validate().ShouldBeEmpty();

    private static MinLivepeerVersion Minimum(string text)
    {
        MinLivepeerVersion.TryCreate(text, out var constraint).ShouldBeTrue();
        return constraint;
    }
}
