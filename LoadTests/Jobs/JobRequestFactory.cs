using System.Net.Http.Headers;
using System.Text.Json;
using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.LoadTests.Jobs;

/// <summary>
/// Builds the gateway request for a planned job: ai-runner bodies (JSON or multipart) with inputs generated
/// in-process. Prompts and seeds derive from the run seed and the job index, so reruns send the same bytes.
/// </summary>
public sealed class JobRequestFactory
{
    private static readonly string[] Topics =
    [
        "the history of the bicycle", "how tides work", "a recipe for lentil soup", "why the sky is blue",
        "the rules of chess", "how a transistor works", "the water cycle", "a short poem about autumn",
    ];

    private readonly Uri gateway;
    private readonly Scenario scenario;
    private readonly int seed;
    private readonly IReadOnlyDictionary<string, string> models;
    private readonly Lazy<byte[]> image;
    private readonly Lazy<byte[]> audio;
    private readonly IReadOnlyDictionary<string, string> headers;

    /// <param name="models">Model id per pipeline; when a pipeline is missing the request sends an empty id
    /// (the gateway then uses the pipeline's default), except LLM, whose <c>model</c> the gateway requires.</param>
    public JobRequestFactory(Uri gateway, Scenario scenario, int seed, IReadOnlyDictionary<string, string>? models = null, IReadOnlyDictionary<string, string>? headers = null)
    {
        this.headers = headers ?? new Dictionary<string, string>();
        this.gateway = gateway;
        this.scenario = scenario;
        this.seed = seed;
        this.models = models ?? new Dictionary<string, string>();
        image = new(() => SyntheticPng.Encode(64, 64, seed));
        audio = new(() => SyntheticWav.Tone(scenario.AudioSeconds));
    }

    public HttpRequestMessage Create(PlannedRequest planned)
    {
        var kind = planned.Kind;
        var jobSeed = unchecked((seed * 1_000_003L) + planned.Index) & 0xFFFFFFFFL;
        var topic = Topics[(int)(jobSeed % Topics.Length)];
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, kind.Pipeline()));
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        switch (kind)
        {
            case JobKind.LlmStream or JobKind.Llm:
                request.Content = Json(new LlmRequest
                {
                    Model = Model("llm", PipelineCatalog.Llm.DefaultModelId),
                    Messages = [new LlmMessage("user", $"Explain {topic} in a few sentences. (request {planned.Index})")],
                    MaxTokens = scenario.MaxTokens,
                    Stream = kind == JobKind.LlmStream,
                    Temperature = 0.7,
                });
                if (kind == JobKind.LlmStream)
                {
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                }

                break;
            case JobKind.TextToImage:
                request.Content = Json(new TextToImageRequest
                {
                    ModelId = Model("text-to-image", ""),
                    Prompt = $"a watercolour painting of {topic}",
                    Width = scenario.ImageWidth,
                    Height = scenario.ImageHeight,
                    Seed = jobSeed,
                });
                break;
            case JobKind.TextToSpeech:
                request.Content = Json(new TextToSpeechRequest
                {
                    ModelId = Model("text-to-speech", ""),
                    Text = $"Here is a sentence about {topic}.",
                });
                break;
            default:
                request.Content = Multipart(kind, topic, jobSeed);
                break;
        }

        return request;
    }

    private MultipartFormDataContent Multipart(JobKind kind, string topic, long jobSeed)
    {
        var form = new MultipartFormDataContent();
        form.Add(new StringContent(Model(kind.Pipeline(), "")), "model_id");
        if (kind == JobKind.AudioToText)
        {
            form.Add(File(audio.Value, "audio/wav"), "audio", "clip.wav");
            return form;
        }

        form.Add(File(image.Value, "image/png"), "image", "input.png");
        switch (kind)
        {
            case JobKind.ImageToVideo:
                form.Add(new StringContent(scenario.ImageWidth.ToString(System.Globalization.CultureInfo.InvariantCulture)), "width");
                form.Add(new StringContent(scenario.ImageHeight.ToString(System.Globalization.CultureInfo.InvariantCulture)), "height");
                form.Add(new StringContent(jobSeed.ToString(System.Globalization.CultureInfo.InvariantCulture)), "seed");
                break;
            case JobKind.ImageToImage or JobKind.Upscale:
                form.Add(new StringContent($"{topic}, in the style of an oil painting"), "prompt");
                form.Add(new StringContent(jobSeed.ToString(System.Globalization.CultureInfo.InvariantCulture)), "seed");
                break;
            case JobKind.ImageToText:
                form.Add(new StringContent("describe the image"), "prompt");
                break;
        }

        return form;
    }

    /// <summary>Buffered JSON, so the request carries a Content-Length like SDK clients send (not chunked).</summary>
    private static ByteArrayContent Json<T>(T body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, WireJson.Options));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static ByteArrayContent File(byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    private string Model(string pipeline, string fallback) => models.TryGetValue(pipeline, out var id) ? id : fallback;
}
