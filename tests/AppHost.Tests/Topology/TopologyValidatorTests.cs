using System.Net;
using System.Net.Sockets;
using LivepeerAspire.AppHost.Topology;

namespace LivepeerAspire.AppHost.Tests.Topology;

public sealed class TopologyValidatorTests
{
    private const string File = "/t.json";

    private static TopologySpec Parse(string orchestrators, string gateway = "{ \"port\": 0 }", string extra = "") =>
        TopologyReader.Parse($$"""{ "gateway": {{gateway}}, "orchestrators": [ {{orchestrators}} ] {{extra}} }""", File);

    private const string Gpu = """{ "profile": "RTX 4090", "pipeline": "text-to-image" }""";

    [Fact]
    public void Refuses_duplicate_orchestrator_names()
    {
        var spec = Parse($$"""{ "name": "o1", "gpus": [{{Gpu}}] }, { "name": "o1", "gpus": [{{Gpu}}] }""");

        var error = Should.Throw<TopologyException>(() => TopologyValidator.Validate(spec, 0, null));

        error.JsonPath.ShouldBe("$.orchestrators[1].name");
        error.Reason.ShouldContain("duplicate orchestrator name 'o1'");
    }

    [Fact]
    public void Refuses_a_name_that_clashes_with_an_expanded_replica()
    {
        var spec = Parse($$"""{ "name": "fast", "replicas": 2, "gpus": [{{Gpu}}] }, { "name": "fast-2", "gpus": [{{Gpu}}] }""");

        var error = Should.Throw<TopologyException>(() => TopologyValidator.Validate(spec, 0, null));

        error.Reason.ShouldContain("'fast-2'");
    }

    [Fact]
    public void Refuses_two_fixed_ports_alike()
    {
        var spec = Parse($$"""{ "name": "o1", "port": 47011, "gpus": [{{Gpu}}] }""", "{ \"port\": 47011 }");

        var error = Should.Throw<TopologyException>(() => TopologyValidator.Validate(spec, 47011, null));

        error.JsonPath.ShouldBe("$.orchestrators[0].port");
        error.Reason.ShouldContain("port clash: 47011 is also given at $.gateway.port");
    }

    [Fact]
    public void Refuses_a_gateway_port_equal_to_the_dashboard_port()
    {
        var spec = Parse($$"""{ "name": "o1", "gpus": [{{Gpu}}] }""");

        var error = Should.Throw<TopologyException>(() => TopologyValidator.Validate(spec, 47012, 47012));

        error.Reason.ShouldContain("port clash");
    }

    [Fact]
    public void Refuses_a_fixed_port_already_in_use()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;
        var spec = Parse($$"""{ "name": "o1", "gpus": [{{Gpu}}] }""", $$"""{ "port": {{port}} }""");

        var error = Should.Throw<TopologyException>(() => TopologyValidator.Validate(spec, port, null));

        error.JsonPath.ShouldBe("$.gateway.port");
        error.Reason.ShouldContain($"port {port} is already in use");
    }

    [Fact]
    public void Refuses_a_reserved_extra_resource_name()
    {
        var spec = Parse($$"""{ "name": "o1", "gpus": [{{Gpu}}] }""", extra: """, "resources": [ { "name": "gateway", "kind": "executable", "command": "true" } ]""");

        Should.Throw<TopologyException>(() => TopologyValidator.Validate(spec, 0, null)).JsonPath.ShouldBe("$.resources[0].name");
    }

    [Fact]
    public void Accepts_free_ports_and_unique_names()
    {
        var spec = Parse($$"""{ "name": "o1", "replicas": 2, "gpus": [{{Gpu}}] }, { "name": "o2", "gpus": [{{Gpu}}] }""");

        Should.NotThrow(() => TopologyValidator.Validate(spec, 0, 0));
    }
}
