using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using LivepeerAspire.Orchestrator.Discovery;
using LivepeerAspire.Protocol.Eth;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Payments;
using Microsoft.Extensions.DependencyInjection;

namespace LivepeerAspire.Orchestrator.Tests;

/// <summary>
/// Off-chain orchestrator on a hand-set clock: a job may come without <c>Livepeer-Segment</c>, but a header that is
/// present must carry an auth token this orchestrator issued that has not expired (go-livepeer's verifySegCreds).
/// </summary>
public sealed class AuthTokenCheckTests : IAsyncLifetime
{
    private const string Model = "stabilityai/sdxl-turbo";
    private readonly ManualTime clock = new(DateTimeOffset.UtcNow);
    private readonly EthAccount gateway = EthAccount.Generate();
    private FakeRunner runner = null!;
    private OrchestratorHost orch = null!;

    public async Task InitializeAsync()
    {
        runner = await FakeRunner.StartAsync();
        orch = await OrchestratorHost.StartAsync(
            $$"""[{"pipeline":"text-to-image","model_id":"{{Model}}","url":"{{runner.Url}}"}]""",
            services: s => s.AddSingleton<TimeProvider>(clock));
        await orch.WaitReadyAsync();
    }

    public async Task DisposeAsync()
    {
        await orch.DisposeAsync();
        await runner.DisposeAsync();
    }

    private async Task<OrchestratorInfo> GetInfoAsync()
    {
        var content = new ByteArrayContent([]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        var response = await orch.Client.PostAsync("/getOrchestrator", content);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return OrchestratorInfo.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
    }

    private string Segment(AuthToken? token) => SegmentCredentials.CreateHeader(gateway, "27_" + Model, null, token);

    private Task<HttpResponseMessage> PostJobAsync(string? segmentHeader)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/text-to-image")
        {
            Content = new StringContent($$"""{"prompt":"x","model_id":"{{Model}}","height":64,"width":32}""", Encoding.UTF8, "application/json"),
        };
        if (segmentHeader is not null)
        {
            request.Headers.Add(SegmentCredentials.HeaderName, segmentHeader);
        }

        return orch.Client.SendAsync(request);
    }

    private async Task ShouldBeForbiddenAsync(string? segmentHeader, string messageStart)
    {
        var response = await PostJobAsync(segmentHeader);
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Errors.DetailAsync(response)).ShouldStartWith(messageStart);
    }

    [Fact]
    public async Task Off_chain_a_job_without_Livepeer_Segment_is_served()
    {
        var response = await PostJobAsync(null);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        runner.Jobs.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_token_from_getOrchestrator_is_accepted_up_to_and_including_its_expiration_second_and_refused_after()
    {
        var token = (await GetInfoAsync()).AuthToken;

        (await PostJobAsync(Segment(token))).StatusCode.ShouldBe(HttpStatusCode.OK);
        clock.Now = DateTimeOffset.FromUnixTimeSeconds(token.Expiration);
        (await PostJobAsync(Segment(token))).StatusCode.ShouldBe(HttpStatusCode.OK);

        clock.Now = clock.Now.AddMilliseconds(1);
        await ShouldBeForbiddenAsync(Segment(token), "expired auth token in Livepeer-Segment");
        runner.Jobs.Count.ShouldBe(2);
        (await orch.Client.GetStringAsync("/status")).ShouldContain("\"paymentsRefused\":1");
    }

    [Fact]
    public async Task A_token_issued_with_another_secret_is_refused()
    {
        var other = new AuthTokenIssuer(RandomNumberGenerator.GetBytes(32), clock, TimeSpan.FromMinutes(30)).Issue();

        await ShouldBeForbiddenAsync(Segment(other), "invalid auth token in Livepeer-Segment: not issued by this orchestrator");
        runner.Jobs.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("expiration")]
    [InlineData("session")]
    [InlineData("token")]
    public async Task A_tampered_token_is_refused(string field)
    {
        var token = (await GetInfoAsync()).AuthToken.Clone();
        switch (field)
        {
            case "expiration":
                token.Expiration += 3600;
                break;
            case "session":
                token.SessionId = "00000000";
                break;
            default:
                var bytes = token.Token.ToByteArray();
                bytes[0] ^= 1;
                token.Token = ByteString.CopyFrom(bytes);
                break;
        }

        await ShouldBeForbiddenAsync(Segment(token), "invalid auth token in Livepeer-Segment");
        runner.Jobs.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_segment_without_an_auth_token_or_that_is_not_a_SegData_is_refused()
    {
        await ShouldBeForbiddenAsync(Segment(null), "missing auth token in Livepeer-Segment");
        await ShouldBeForbiddenAsync("not base64!", "invalid Livepeer-Segment header: not standard base64");
        await ShouldBeForbiddenAsync(Convert.ToBase64String([0xff, 0xff, 0xff]), "invalid Livepeer-Segment header: not a valid net.SegData protobuf");
        runner.Jobs.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_segment_asking_for_a_capability_or_model_this_orchestrator_lacks_is_refused_with_which()
    {
        var token = (await GetInfoAsync()).AuthToken;
        string SegmentFor(int capability, string model) =>
            SegmentCredentials.CreateHeader(gateway, $"{capability}_{model}", RequestCaps(capability, model), token);

        (await PostJobAsync(SegmentFor(27, Model))).StatusCode.ShouldBe(HttpStatusCode.OK); // what a gateway asks for
        await ShouldBeForbiddenAsync(SegmentFor(27, "other/model"),
            "Livepeer-Segment capabilities are not compatible: model other/model of capability 27 (text-to-image) is not served by this orchestrator");
        await ShouldBeForbiddenAsync(SegmentFor(33, "meta-llama/Meta-Llama-3.1-8B-Instruct"),
            "Livepeer-Segment capabilities are not compatible: capability 33 (llm) is not offered by this orchestrator");
        runner.Jobs.Count.ShouldBe(1);
    }

    /// <summary>The Capabilities go-livepeer's gateway puts in SegData: the capability bit and the model.</summary>
    private static Capabilities RequestCaps(int capability, string model)
    {
        var caps = new Capabilities { Constraints = new Capabilities.Types.Constraints() };
        CapabilitiesBuilder.SetBit(caps.Bitstring, (uint)capability);

        var perCap = new Capabilities.Types.CapabilityConstraints();
        perCap.Models[model] = new Capabilities.Types.CapabilityConstraints.Types.ModelConstraint();
        caps.Constraints.PerCapability[(uint)capability] = perCap;
        return caps;
    }
}
