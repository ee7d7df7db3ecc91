using System.Text.Json.Nodes;
using LivepeerAspire.AppHost.Topology;

namespace LivepeerAspire.AppHost.Tests.Topology;

public sealed class TopologyReaderTests
{
    private const string File = "/topologies/test.json";

    private static JsonObject Valid() => JsonNode.Parse("""
        {
          "name": "t", "timeScale": 0.01, "seed": 1,
          "gateway": { "port": 0, "strategy": "round-robin" },
          "orchestrators": [
            { "name": "o1", "stake": 10, "gpus": [
              { "profile": "RTX 4090", "pipeline": "text-to-image", "model": "m1", "capacity": 2, "pricePerUnit": 4768371, "pixelsPerUnit": 1, "currency": "wei" },
              { "profile": "A100 80GB", "pipeline": "llm", "model": "meta-llama/Meta-Llama-3.1-8B-Instruct", "runner": "ollama" } ] },
            { "name": "o2", "gpus": [ { "profile": "RTX 3090", "pipeline": "image-to-video" } ] }
          ]
        }
        """)!.AsObject();

    private static JsonObject Gpu(JsonObject root, int o, int g) => root["orchestrators"]![o]!["gpus"]![g]!.AsObject();

    public static TheoryData<string, Action<JsonObject>, string, string> BadInputs => new()
    {
        { "unknown member", r => r["timescale"] = 1, "$.timescale", "unknown member" },
        { "time scale zero", r => r["timeScale"] = 0, "$.timeScale", "positive" },
        { "time scale text", r => r["timeScale"] = "fast", "$.timeScale", "expected a number" },
        { "no orchestrators member", r => r.Remove("orchestrators"), "$.orchestrators", "required" },
        { "empty orchestrators", r => r["orchestrators"] = new JsonArray(), "$.orchestrators", "at least one orchestrator" },
        { "orchestrator not an object", r => r["orchestrators"]![0] = 5, "$.orchestrators[0]", "expected an object" },
        { "bad orchestrator name", r => r["orchestrators"]![0]!["name"] = "O 1!", "$.orchestrators[0].name", "not a valid name" },
        { "no gpus", r => r["orchestrators"]![1]!["gpus"] = new JsonArray(), "$.orchestrators[1].gpus", "at least one GPU" },
        { "unknown pipeline", r => Gpu(r, 0, 0)["pipeline"] = "text-to-sound", "$.orchestrators[0].gpus[0].pipeline", "unknown pipeline 'text-to-sound'" },
        { "missing profile", r => Gpu(r, 1, 0).Remove("profile"), "$.orchestrators[1].gpus[0].profile", "needs a GPU profile" },
        { "zero capacity", r => Gpu(r, 0, 0)["capacity"] = 0, "$.orchestrators[0].gpus[0].capacity", "at least 1" },
        { "negative price", r => Gpu(r, 0, 0)["pricePerUnit"] = -5, "$.orchestrators[0].gpus[0].pricePerUnit", "must not be negative" },
        { "price not a number", r => Gpu(r, 0, 0)["pricePerUnit"] = "cheap", "$.orchestrators[0].gpus[0].pricePerUnit", "expected a number" },
        { "zero pixels per unit", r => Gpu(r, 0, 0)["pixelsPerUnit"] = 0, "$.orchestrators[0].gpus[0].pixelsPerUnit", "greater than 0" },
        { "unknown currency", r => Gpu(r, 0, 0)["currency"] = "btc", "$.orchestrators[0].gpus[0].currency", "unknown currency" },
        { "unknown runner", r => Gpu(r, 0, 0)["runner"] = "magic", "$.orchestrators[0].gpus[0].runner", "unknown runner" },
        { "ollama runner for images", r => Gpu(r, 0, 0)["runner"] = "ollama", "$.orchestrators[0].gpus[0].runner", "llm pipeline only" },
        { "external runner without url", r => Gpu(r, 0, 0)["runner"] = "external", "$.orchestrators[0].gpus[0].url", "needs the runner's url" },
        { "external runner bad url", r => { Gpu(r, 0, 0)["runner"] = "external"; Gpu(r, 0, 0)["url"] = "ftp://x"; }, "$.orchestrators[0].gpus[0].url", "not an absolute http(s) URL" },
        { "container runner without image", r => Gpu(r, 0, 0)["runner"] = "container", "$.orchestrators[0].gpus[0].image", "needs an image" },
        { "container flags on a simulated GPU", r => Gpu(r, 0, 0)["optimizationFlags"] = new JsonObject { ["SFAST"] = true }, "$.orchestrators[0].gpus[0].optimizationFlags", "only a container runner" },
        { "optimization flag a number", r => { Gpu(r, 0, 0)["runner"] = "container"; Gpu(r, 0, 0)["image"] = "i"; Gpu(r, 0, 0)["optimization_flags"] = new JsonObject { ["MAX_MODEL_LEN"] = 4096 }; }, "$.orchestrators[0].gpus[0].optimization_flags.MAX_MODEL_LEN", "write \"4096\"" },
        { "container GPU request", r => { Gpu(r, 0, 0)["runner"] = "container"; Gpu(r, 0, 0)["image"] = "i"; Gpu(r, 0, 0)["containerGpus"] = "every"; }, "$.orchestrators[0].gpus[0].containerGpus", "\"all\" or device indexes" },
        { "container start timeout not a time span", r => { Gpu(r, 0, 0)["runner"] = "container"; Gpu(r, 0, 0)["image"] = "i"; Gpu(r, 0, 0)["startTimeout"] = "3 minutes"; }, "$.orchestrators[0].gpus[0].startTimeout", "not a positive time span" },
        { "container start timeout zero", r => { Gpu(r, 0, 0)["runner"] = "container"; Gpu(r, 0, 0)["image"] = "i"; Gpu(r, 0, 0)["startTimeout"] = "00:00:00"; }, "$.orchestrators[0].gpus[0].startTimeout", "not a positive time span" },
        { "start timeout on a simulated GPU", r => Gpu(r, 0, 0)["startTimeout"] = "00:01:00", "$.orchestrators[0].gpus[0].startTimeout", "only a container runner" },
        { "container volume without target", r => { Gpu(r, 0, 0)["runner"] = "container"; Gpu(r, 0, 0)["image"] = "i"; Gpu(r, 0, 0)["volumes"] = new JsonArray("/models"); }, "$.orchestrators[0].gpus[0].volumes[0]", "SOURCE:TARGET" },
        { "gpu typo", r => Gpu(r, 0, 0)["modle"] = "x", "$.orchestrators[0].gpus[0].modle", "unknown member" },
        { "warm not boolean", r => Gpu(r, 0, 0)["warm"] = "yes", "$.orchestrators[0].gpus[0].warm", "true or false" },
        { "port out of range", r => r["gateway"]!["port"] = 70000, "$.gateway.port", "between 0 and 65535" },
        { "replicas zero", r => r["orchestrators"]![0]!["replicas"] = 0, "$.orchestrators[0].replicas", "between 1 and 64" },
        { "fixed port with replicas", r => { r["orchestrators"]![0]!["replicas"] = 2; r["orchestrators"]![0]!["port"] = 7001; }, "$.orchestrators[0].port", "fixed port" },
        { "negative stake", r => r["orchestrators"]![0]!["stake"] = -1, "$.orchestrators[0].stake", "must not be negative" },
        { "environment value object", r => r["gateway"]!["environment"] = new JsonObject { ["X"] = new JsonObject() }, "$.gateway.environment.X", "expected a string" },
        { "extra resource without command", r => r["resources"] = new JsonArray(new JsonObject { ["name"] = "redis", ["kind"] = "executable" }), "$.resources[0].command", "needs a command" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Refuses_bad_input_with_file_path_and_reason(string because, Action<JsonObject> mutate, string path, string reason)
    {
        var root = Valid();
        mutate(root);

        var error = Should.Throw<TopologyException>(() => TopologyReader.Parse(root.ToJsonString(), File), because);

        error.File.ShouldBe(File);
        error.JsonPath.ShouldBe(path, because);
        error.Reason.ShouldContain(reason, Case.Insensitive, because);
        error.Message.ShouldStartWith($"{File}: {path}: ");
    }

    [Fact]
    public void Refuses_malformed_json_with_its_line()
    {
        var error = Should.Throw<TopologyException>(() => TopologyReader.Parse("{\n  \"name\": \"x\",\n  \"orchestrators\": [ {,] \n}", File));

        error.Reason.ShouldContain("not valid JSON");
        error.Reason.ShouldContain("line 3");
    }

    [Fact]
    public void Refuses_a_missing_file()
    {
        var error = Should.Throw<TopologyException>(() => TopologyReader.Load("/nonexistent/topology.json"));

        error.Reason.ShouldContain("cannot read");
    }

    [Theory]
    [InlineData(null, false, 180)]
    [InlineData(null, true, 300)]
    [InlineData("00:00:20", true, 20)]
    public void A_container_runner_waits_for_health_as_long_as_go_livepeer_unless_the_topology_says(string? startTimeout, bool flags, int seconds)
    {
        var root = Valid();
        var gpu = Gpu(root, 0, 0);
        gpu["runner"] = "container";
        gpu["image"] = "livepeer/ai-runner:latest";
        if (startTimeout is not null)
        {
            gpu["startTimeout"] = startTimeout;
        }

        if (flags)
        {
            gpu["optimizationFlags"] = new JsonObject { ["SFAST"] = true };
        }

        var spec = TopologyReader.Parse(root.ToJsonString(), File);

        spec.Orchestrators[0].Gpus[0].StartTimeout.ShouldBe(TimeSpan.FromSeconds(seconds));
    }

    [Fact]
    public void Reads_a_valid_topology_with_defaults_and_aliases()
    {
        var root = Valid();
        Gpu(root, 0, 0).Remove("pricePerUnit");
        Gpu(root, 0, 0)["price_per_unit"] = "0.5";
        Gpu(root, 0, 0)["count"] = 2;

        var spec = TopologyReader.Parse(root.ToJsonString(), File);

        spec.TimeScale.ShouldBe(0.01);
        spec.Gateway.Port.ShouldBe(0);
        spec.Gateway.Strategy.ShouldBe("round-robin");
        spec.Orchestrators.Count.ShouldBe(2);
        spec.Orchestrators[0].Gpus.Count.ShouldBe(3); // count: 2 expands the first GPU
        spec.Orchestrators[0].Gpus[0].PricePerUnit.ShouldBe("0.5");
        spec.Orchestrators[0].Gpus[2].Runner.ShouldBe(RunnerKind.Ollama);
        spec.Orchestrators[1].Gpus[0].Model.ShouldBe("stabilityai/stable-video-diffusion-img2vid-xt"); // pipeline default
        spec.Orchestrators[1].Gpus[0].Capacity.ShouldBe(1);
        spec.Orchestrators[1].Gpus[0].Warm.ShouldBeTrue();
    }
}
