using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text.Json;
using LivepeerAspire.Network.Tests.Support;
using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Protocol.Pipelines.Contracts;
using LivepeerAspire.Tests.Shared;
using static LivepeerAspire.Network.Tests.Support.GatewayResponses;

namespace LivepeerAspire.Network.Tests.Payments;

/// <summary>
/// Gateway and orchestrator price a job with the same contract: for every pipeline the fee in the gateway's
/// Livepeer-Fee header is exactly what the serving orchestrator debits; audio in every format is billed by the
/// seconds it holds; bad input is refused with a 4xx naming the part and nothing is paid or debited.
/// </summary>
[Collection(PaymentsNetwork.Name)]
public sealed class FeeAgreementTests(PaymentsNetworkFixture network)
{
    private static readonly byte[] Picture = SyntheticPng.Encode(64, 48, seed: 9);

    public static TheoryData<string, long> Jobs() => new()
    {
        { "text-to-image", 96 * 64 * 2 },
        { "image-to-video", 64 * 48 * 25 },
        { "image-to-image", 64 * 48 },
        { "upscale", 64 * 48 },
        { "segment-anything-2", 64 * 48 },
        { "image-to-text", 64 * 48 },
        { "llm", 24 },
        { "text-to-speech", "Sprechen Sie höflich.".Length + 1 },
        { "audio-to-text:wav", 7000 },
        { "audio-to-text:mp3", 7000 },
        { "audio-to-text:flac", 7000 },
        { "audio-to-text:ogg", 7000 },
        { "audio-to-text:m4a", 7000 },
    };

    [Theory]
    [MemberData(nameof(Jobs))]
    public async Task The_gateways_fee_is_what_the_orchestrator_debits(string job, long units)
    {
        var before = await DebitedAsync();
        using var client = network.CreateClient();

        using var response = await client.PostAsync("/" + job.Split(':')[0], Request(job));

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var fee = BigInteger.Parse(response.Headers.GetValues("Livepeer-Fee").Single(), CultureInfo.InvariantCulture);
        fee.ShouldBeGreaterThan(BigInteger.Zero);
        if (job.StartsWith("audio-to-text", StringComparison.Ordinal))
        {
            // Billed by the audio the file holds, within 1 % of the 7 s encoded (lossy encoders pad a few frames).
            var measured = AudioToTextContract.Milliseconds((await AudioProbe.ReadAsync("audio", TestAudio.Encode(job.Split(':')[1], 7), CancellationToken.None)).Seconds);
            ((double)measured).ShouldBe(units, units * 0.01);
            units = measured;
        }

        fee.ShouldBe(units * await PriceAsync(response, job.Split(':')[0]), "fee = units × the orchestrator's price");
        (await DebitedAfterAsync(before, fee)).ShouldBe(fee, "what the orchestrators debited for this job");
    }

    public static TheoryData<string, string, string> BadInputs() => new()
    {
        { "empty audio", "audio-to-text", "audio: the file is empty" },
        { "text sent as audio", "audio-to-text", "audio: not a readable audio file" },
        { "truncated m4a", "audio-to-text", "audio:" },
        { "flac claiming more than it holds", "audio-to-text", "audio: the flac header claims" },
        { "wav with a lying header", "audio-to-text", "audio: the WAV header declares" },
        { "empty image", "image-to-image", "image: the file is empty" },
        { "corrupt image", "image-to-text", "image: not a PNG, JPEG, GIF or WebP image" },
        { "truncated png", "upscale", "image: truncated PNG" },
        { "truncated jpeg", "segment-anything-2", "image: truncated JPEG" },
        { "1x100000 image", "image-to-image", "image: 1×100000 px is over the limit of 4096 px per side" },
        { "text-to-image over the size limit", "text-to-image", "height must be between 1 and 4096 (got 100000)" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_is_a_4xx_naming_the_part_and_nothing_is_paid(string what, string pipeline, string message)
    {
        var before = await StatusesAsync();
        using var client = network.CreateClient();

        using var response = await client.PostAsync("/" + pipeline, BadRequest(what));

        ((int)response.StatusCode).ShouldBe(400, what);
        (await response.DetailMessageAsync()).ShouldContain(message, Case.Sensitive, what);
        var after = await StatusesAsync();
        foreach (var (name, status) in after)
        {
            status.GetProperty("ticketsReceived").GetInt64().ShouldBe(before[name].GetProperty("ticketsReceived").GetInt64(), $"{name} received no payment for {what}");
            status.GetProperty("feesDebitedWei").GetString().ShouldBe(before[name].GetProperty("feesDebitedWei").GetString(), $"{name} debited nothing for {what}");
        }
    }

    [Fact]
    public async Task Unknown_fields_are_accepted_and_passed_on_as_the_ai_runner_ignores_them()
    {
        using var client = network.CreateClient();

        using var response = await client.PostAsync("/text-to-image", Json("""{"prompt":"a cat","width":64,"height":64,"style_preset":"anime","x_extra":{"a":1}}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        BigInteger.Parse(response.Headers.GetValues("Livepeer-Fee").Single(), CultureInfo.InvariantCulture).ShouldBe(64 * 64 * await PriceAsync(response, "text-to-image"));
    }

    private static HttpContent Request(string job) => job switch
    {
        "text-to-image" => Json("""{"prompt":"two paid pictures","width":96,"height":64,"num_images_per_prompt":2}"""),
        "image-to-video" => Multipart(Picture, "image", "start.png", ("width", "64"), ("height", "48")),
        "image-to-image" => Multipart(Picture, "image", "in.png", ("prompt", "bluer")),
        "upscale" => Multipart(Picture, "image", "in.png", ("prompt", "sharper")),
        "segment-anything-2" => Multipart(Picture, "image", "in.png", ("point_coords", "[[10,10]]"), ("point_labels", "[1]")),
        "image-to-text" => Multipart(Picture, "image", "in.png"),
        "llm" => Json("""{"model":"","messages":[{"role":"user","content":"what does it cost?"}],"max_tokens":24,"stream":false}"""),
        "text-to-speech" => Json("""{"text":"Sprechen Sie höflich."}"""),
        _ => Multipart(TestAudio.Encode(job.Split(':')[1], 7), "audio", "speech." + job.Split(':')[1]),
    };

    private static HttpContent BadRequest(string what)
    {
        switch (what)
        {
            case "empty audio":
                return Multipart([], "audio", "empty.wav");
            case "text sent as audio":
                return Multipart("this is no audio, only words"u8.ToArray(), "audio", "speech.mp3");
            case "truncated m4a":
                var m4a = TestAudio.Encode("m4a", 7);
                return Multipart(m4a[..(m4a.Length / 2)], "audio", "speech.m4a");
            case "flac claiming more than it holds":
                var flac = TestAudio.Encode("flac", 7);
                return Multipart(flac[..(flac.Length / 3)], "audio", "speech.flac");
            case "wav with a lying header":
                var wav = TestAudio.Encode("wav", 2).ToArray();
                var data = wav.AsSpan().IndexOf("data"u8);
                BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(data + 4), 16000 * 2 * 3600);
                return Multipart(wav, "audio", "speech.wav");
            case "empty image":
                return Multipart([], "image", "in.png", ("prompt", "x"));
            case "corrupt image":
                return Multipart("\x89PNG but not really"u8.ToArray(), "image", "in.png");
            case "truncated png":
                return Multipart(Picture[..(Picture.Length / 2)], "image", "in.png", ("prompt", "x"));
            case "truncated jpeg":
                var jpeg = TestImages.Encode("jpg", 64, 48);
                return Multipart(jpeg[..(jpeg.Length / 2)], "image", "in.jpg");
            case "1x100000 image":
                var tall = SyntheticPng.Encode(1, 8, 1);
                BinaryPrimitives.WriteInt32BigEndian(tall.AsSpan(20), 100_000);
                return Multipart(tall, "image", "tall.png", ("prompt", "x"));
            default:
                return Json("""{"prompt":"huge","width":64,"height":100000}""");
        }
    }

    private async Task<BigInteger> PriceAsync(HttpResponseMessage response, string pipeline)
    {
        var name = network.OrchestratorName(response.Orchestrator());
        using var client = network.CreateClient(network.OrchestratorUrls[name]);
        var status = JsonDocument.Parse(await client.GetStringAsync("/status")).RootElement;
        foreach (var model in status.GetProperty("models").EnumerateArray())
        {
            if (model.GetProperty("pipeline").GetString() == pipeline)
            {
                return BigInteger.Parse(model.GetProperty("price").GetProperty("weiPerUnit").GetString()!, CultureInfo.InvariantCulture);
            }
        }

        throw new ShouldAssertException($"{name} lists no price for {pipeline}");
    }

    private async Task<Dictionary<string, JsonElement>> StatusesAsync()
    {
        var statuses = new Dictionary<string, JsonElement>();
        foreach (var (name, url) in network.OrchestratorUrls)
        {
            using var client = network.CreateClient(url);
            statuses[name] = JsonDocument.Parse(await client.GetStringAsync("/status")).RootElement.GetProperty("payments").Clone();
        }

        return statuses;
    }

    private async Task<BigInteger> DebitedAsync() =>
        (await StatusesAsync()).Values.Aggregate(BigInteger.Zero, (sum, s) => sum + BigInteger.Parse(s.GetProperty("feesDebitedWei").GetString()!, CultureInfo.InvariantCulture));

    /// <summary>The debit lands just after the answer's last byte; wait briefly for it, then report what it came to.</summary>
    private async Task<BigInteger> DebitedAfterAsync(BigInteger before, BigInteger expected)
    {
        var debited = BigInteger.Zero;
        for (var i = 0; i < 50; i++)
        {
            debited = await DebitedAsync() - before;
            if (debited >= expected)
            {
                break;
            }

            await Task.Delay(100);
        }

        return debited;
    }
}
