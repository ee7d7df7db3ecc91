using System.Text.Json;
using LivepeerAspire.Runner.Ollama.Models;

namespace LivepeerAspire.Runner.Ollama.Tests;

public sealed class TagMapTests
{
    [Theory]
    [InlineData("meta-llama/Meta-Llama-3.1-8B-Instruct", "llama3.1:8b")]
    [InlineData("meta-llama/llama-3.1-8B-Instruct", "llama3.1:8b")]
    [InlineData("mistralai/Mistral-7B-Instruct-v0.3", "mistral:7b")]
    [InlineData("google/gemma-2-9b-it", "gemma2:9b")]
    [InlineData("meta-llama/Meta-Llama-3.1-70B-Instruct", "llama3.1:70b")]
    [InlineData("GOOGLE/GEMMA-2-9B-IT", "gemma2:9b")]
    public void Documented_defaults_are_built_in(string hfId, string tag) =>
        new OllamaTagMap().Resolve(hfId).ShouldBe(tag);

    [Fact]
    public void Overrides_replace_defaults_and_add_new_ids()
    {
        var map = new OllamaTagMap(new Dictionary<string, string>
        {
            ["google/gemma-2-9b-it"] = "gemma2:9b-instruct-q8_0",
            ["acme/x"] = "x:1b",
        });

        map.Resolve("google/gemma-2-9b-it").ShouldBe("gemma2:9b-instruct-q8_0");
        map.Resolve("acme/x").ShouldBe("x:1b");
        map.Resolve("mistralai/Mistral-7B-Instruct-v0.3").ShouldBe("mistral:7b");
    }

    [Fact]
    public void An_unmapped_id_is_used_as_the_tag_itself() =>
        new OllamaTagMap().Resolve("llama3.2:1b").ShouldBe("llama3.2:1b");

    [Theory]
    [InlineData("llama3", "llama3:latest", true)]
    [InlineData("llama3.1:8b", "LLAMA3.1:8B", true)]
    [InlineData("llama3.1:8b", "llama3.1:70b", false)]
    public void Tags_compare_with_the_default_latest(string a, string b, bool same) =>
        OllamaTagMap.SameTag(a, b).ShouldBe(same);

    [Theory]
    [InlineData("-1", JsonValueKind.Number)]
    [InlineData("300", JsonValueKind.Number)]
    [InlineData("10m", JsonValueKind.String)]
    public void Keep_alive_is_a_number_of_seconds_or_a_duration_string(string text, JsonValueKind kind) =>
        ServedModel.ParseKeepAlive(text).ValueKind.ShouldBe(kind);
}
