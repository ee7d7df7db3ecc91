using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using LivepeerAspire.Orchestrator.Tls;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Tests.Shared;

namespace LivepeerAspire.Orchestrator.Tests.Grpc;

/// <summary>An off-chain orchestrator on an https:// endpoint: gRPC net.Orchestrator and the HTTP/1.1 routes on one TLS port.</summary>
public sealed class TlsGrpcTests : IAsyncLifetime
{
    private readonly string dataDir = Directory.CreateTempSubdirectory("orch-tls-").FullName;
    private FakeRunner t2i = null!;
    private FakeRunner llm = null!;
    private OrchestratorHost orch = null!;

    public async Task InitializeAsync()
    {
        t2i = await FakeRunner.StartAsync("t2i");
        llm = await FakeRunner.StartAsync("llm");
        llm.Version = "0.13.0";
        orch = await StartAsync();
        await orch.WaitReadyAsync();
    }

    private Task<OrchestratorHost> StartAsync() => OrchestratorHost.StartAsync($$"""
        [
          {"pipeline":"text-to-image","model_id":"stabilityai/sdxl-turbo","url":"{{t2i.Url}}","capacity":2,"warm":true,"price_per_unit":4768371,"pixels_per_unit":1},
          {"pipeline":"llm","model_id":"meta-llama/Meta-Llama-3.1-8B-Instruct","url":"{{llm.Url}}","price_per_unit":60000000,"pixels_per_unit":1}
        ]
        """, new() { ["Orchestrator:DataDir"] = dataDir, ["Orchestrator:GrpcCallTimeout"] = "00:00:02" }, url: "https://127.0.0.1:0");

    public async Task DisposeAsync()
    {
        await orch.DisposeAsync();
        await llm.DisposeAsync();
        await t2i.DisposeAsync();
        Directory.Delete(dataDir, recursive: true);
    }

    [Fact]
    public async Task A_foreign_grpc_js_client_built_from_the_tests_lp_rpc_proto_gets_every_field_over_tls()
    {
        var answer = await NodeScript.RunAsync("grpc-orchestrator-client.mjs", orch.Url, Path.Combine(dataDir, ServiceCertificate.CertFileName));

        var info = answer.GetProperty("info");
        info.GetProperty("transcoder").GetString().ShouldBe(orch.Url.TrimEnd('/'));
        info.GetProperty("address").GetString()!.Length.ShouldBe(40, "a 20-byte address");
        var caps = info.GetProperty("capabilities");
        caps.GetProperty("bitstring")[0].GetString().ShouldBe(((1UL << 27) | (1UL << 33)).ToString());
        caps.GetProperty("capacities").GetProperty("27").GetUInt32().ShouldBe(2u);
        caps.GetProperty("version").GetString().ShouldNotBeNullOrEmpty();
        var t2iModel = caps.GetProperty("constraints").GetProperty("PerCapability").GetProperty("27").GetProperty("models").GetProperty("stabilityai/sdxl-turbo");
        t2iModel.GetProperty("warm").GetBoolean().ShouldBeTrue();
        t2iModel.GetProperty("capacity").GetUInt32().ShouldBe(2u);
        t2iModel.GetProperty("runnerVersion").GetString().ShouldBe("0.14.1");
        var llmModel = caps.GetProperty("constraints").GetProperty("PerCapability").GetProperty("33").GetProperty("models").GetProperty("meta-llama/Meta-Llama-3.1-8B-Instruct");
        llmModel.GetProperty("runnerVersion").GetString().ShouldBe("0.13.0");

        var prices = info.GetProperty("capabilities_prices").EnumerateArray()
            .ToDictionary(p => p.GetProperty("capability").GetUInt32(), p => (p.GetProperty("constraint").GetString(), p.GetProperty("pricePerUnit").GetString(), p.GetProperty("pixelsPerUnit").GetString()));
        prices.Count.ShouldBe(2);
        prices[27].ShouldBe(("stabilityai/sdxl-turbo", "4768371", "1"));
        prices[33].ShouldBe(("meta-llama/Meta-Llama-3.1-8B-Instruct", "60000000", "1"));

        var token = info.GetProperty("auth_token");
        token.GetProperty("token").GetString()!.Length.ShouldBe(64, "32 token bytes");
        token.GetProperty("session_id").GetString().ShouldNotBeNullOrEmpty();
        long.Parse(token.GetProperty("expiration").GetString()!).ShouldBeGreaterThan(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        var hardware = info.GetProperty("hardware");
        hardware.GetArrayLength().ShouldBe(2);
        hardware[0].GetProperty("gpu_info").GetProperty("0").GetProperty("name").GetString().ShouldBe("NVIDIA GeForce RTX 4090");
        hardware[0].GetProperty("gpu_info").GetProperty("0").GetProperty("memory_total").GetString().ShouldBe("25757220864");
        info.GetProperty("ticket_params").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null, "off-chain: no ticket params");
        info.GetProperty("storage").GetArrayLength().ShouldBe(0);
        answer.GetProperty("pong").GetString().ShouldBe("", "off-chain the orchestrator has no key to sign a ping with, as go-livepeer");
    }

    [Fact]
    public async Task Grpc_net_client_gets_the_answer_over_h2()
    {
        var (channel, client) = TlsClients.Grpc(orch.Url);
        using var _ = channel;

        var info = await client.GetOrchestratorAsync(new OrchestratorRequest(), deadline: DateTime.UtcNow.AddSeconds(10));

        info.Transcoder.ShouldBe(orch.Url.TrimEnd('/'));
        info.CapabilitiesPrices.Count.ShouldBe(2);
        info.Hardware.Count.ShouldBe(2);
    }

    [Fact]
    public async Task The_job_routes_and_post_getOrchestrator_stay_on_the_same_port_over_http_1_1()
    {
        using var http11 = TlsClients.Http(orch.Url, HttpVersion.Version11);

        var status = await http11.GetAsync("/status");
        status.StatusCode.ShouldBe(HttpStatusCode.OK);
        status.Version.ShouldBe(HttpVersion.Version11);

        var content = new ByteArrayContent([]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        var posted = await http11.PostAsync("/getOrchestrator", content);
        posted.StatusCode.ShouldBe(HttpStatusCode.OK);
        OrchestratorInfo.Parser.ParseFrom(await posted.Content.ReadAsByteArrayAsync()).Transcoder.ShouldBe(orch.Url.TrimEnd('/'));
    }

    [Fact]
    public async Task The_certificate_is_generated_into_the_data_dir_presented_and_kept_across_restarts()
    {
        var certPath = Path.Combine(dataDir, ServiceCertificate.CertFileName);
        File.Exists(certPath).ShouldBeTrue();
        File.Exists(Path.Combine(dataDir, ServiceCertificate.KeyFileName)).ShouldBeTrue();
        using var onDisk = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certPath));
        (await PresentedThumbprintAsync(orch.Url)).ShouldBe(onDisk.Thumbprint);

        await using var second = await StartAsync();

        (await PresentedThumbprintAsync(second.Url)).ShouldBe(onDisk.Thumbprint, "a restart on the same data dir keeps the certificate");
    }

    [Fact]
    public async Task Ping_off_chain_answers_an_empty_value()
    {
        var (channel, client) = TlsClients.Grpc(orch.Url);
        using var _ = channel;

        var pong = await client.PingAsync(new PingPong { Value = ByteString.CopyFromUtf8("hello") });

        pong.Value.IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public async Task Off_chain_a_19_byte_address_is_answered_as_go_livepeer_does_without_signature_checks()
    {
        var (channel, client) = TlsClients.Grpc(orch.Url);
        using var _ = channel;

        var info = await client.GetOrchestratorAsync(new OrchestratorRequest { Address = ByteString.CopyFrom(new byte[19]) });

        info.Address.Length.ShouldBe(20);
    }

    [Fact]
    public async Task An_empty_body_is_a_grpc_error_and_not_a_crash()
    {
        using var http2 = TlsClients.Http(orch.Url, HttpVersion.Version20);
        var content = new ByteArrayContent([]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");

        using var response = await http2.PostAsync("/net.Orchestrator/GetOrchestrator", content);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, "gRPC errors travel in trailers");
        await response.Content.ReadAsByteArrayAsync();
        GrpcStatus(response).ShouldBe(((int)StatusCode.Internal).ToString());
        GrpcMessage(response).ShouldNotBeNullOrEmpty();
        await AssertStillAnswersAsync();
    }

    [Fact]
    public async Task A_wrong_content_type_goes_to_the_http_routes_and_gets_404_as_in_go_livepeer()
    {
        using var http2 = TlsClients.Http(orch.Url, HttpVersion.Version20);
        var content = new ByteArrayContent(new OrchestratorRequest().ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");

        using var response = await http2.PostAsync("/net.Orchestrator/GetOrchestrator", content);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Errors.DetailAsync(response)).ShouldContain("content-type application/grpc");
        await AssertStillAnswersAsync();
    }

    [Fact]
    public async Task Grpc_over_http_1_1_gets_404_too()
    {
        using var http11 = TlsClients.Http(orch.Url, HttpVersion.Version11);
        var content = new ByteArrayContent([0, 0, 0, 0, 0]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");

        using var response = await http11.PostAsync("/net.Orchestrator/GetOrchestrator", content);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Errors.DetailAsync(response)).ShouldContain("HTTP/2");
    }

    [Fact]
    public async Task Plaintext_http2_to_the_tls_port_fails_the_connection_and_the_server_keeps_serving()
    {
        var port = new Uri(orch.Url).Port;
        using var h2c = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/net.Orchestrator/GetOrchestrator")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");

        await Should.ThrowAsync<HttpRequestException>(() => h2c.SendAsync(request));

        await AssertStillAnswersAsync();
    }

    [Fact]
    public async Task An_oversized_message_gets_resource_exhausted_as_grpc_go_sends_it()
    {
        var (channel, client) = TlsClients.Grpc(orch.Url);
        using var _ = channel;
        var huge = new OrchestratorRequest { Capabilities = new Capabilities { Version = new string('x', 5 * 1024 * 1024) } };

        var error = await Should.ThrowAsync<RpcException>(() => client.GetOrchestratorAsync(huge).ResponseAsync);

        error.StatusCode.ShouldBe(StatusCode.ResourceExhausted);
        error.Status.Detail.ShouldContain("maximum");
        await AssertStillAnswersAsync();
    }

    [Fact]
    public async Task A_client_that_stalls_mid_message_has_its_stream_reset_after_the_call_timeout_and_others_are_served_meanwhile()
    {
        var url = new Uri(orch.Url);
        await using var stalling = await RawHttp2Client.ConnectAsync(url);
        var started = DateTime.UtcNow;

        // A frame header announcing a 100-byte message, then 10 of those bytes, then silence.
        await stalling.SendPartialCallAsync(url, "/net.Orchestrator/GetOrchestrator", [0, 0, 0, 0, 100, .. new byte[10]]);
        var ended = stalling.WaitForStreamEndAsync(new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token);
        await AssertStillAnswersAsync();
        ended.IsCompleted.ShouldBeFalse("the stalled call is still waiting for the rest of its message");

        (await ended).ShouldBe("RST_STREAM");
        (DateTime.UtcNow - started).ShouldBeInRange(TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(10), "Orchestrator:GrpcCallTimeout is 2 s here");
        await AssertStillAnswersAsync();
    }

    private async Task AssertStillAnswersAsync()
    {
        var (channel, client) = TlsClients.Grpc(orch.Url);
        using var _ = channel;
        (await client.GetOrchestratorAsync(new OrchestratorRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).Transcoder.ShouldNotBeEmpty();
    }

    private static string? GrpcStatus(HttpResponseMessage response) => Header(response, "grpc-status");

    private static string? GrpcMessage(HttpResponseMessage response) => Header(response, "grpc-message");

    private static string? Header(HttpResponseMessage response, string name) =>
        response.TrailingHeaders.TryGetValues(name, out var values) || response.Headers.TryGetValues(name, out values) ? values.First() : null;

    private static async Task<string> PresentedThumbprintAsync(string url)
    {
        var uri = new Uri(url);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http2],
        });
        tls.NegotiatedApplicationProtocol.ShouldBe(SslApplicationProtocol.Http2, "ALPN offers h2 for gRPC");
        return new X509Certificate2(tls.RemoteCertificate!).Thumbprint;
    }
}
