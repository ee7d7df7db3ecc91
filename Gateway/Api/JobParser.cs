using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Gateway.Forwarding;
using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pipelines.Contracts;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace LivepeerAspire.Gateway.Api;

/// <summary>Reads a pipeline request, checks and measures it with the pipeline's contract and resolves its model.</summary>
public sealed class JobParser(ModelResolver models, IOptions<LimitsOptions> limits)
{
    public async Task<GatewayJob> ParseAsync(HttpContext context, Pipeline pipeline)
    {
        return pipeline.BodyKind == RequestBodyKind.Json
            ? await ParseJsonAsync(context, pipeline).ConfigureAwait(false)
            : await ParseMultipartAsync(context, pipeline).ConfigureAwait(false);
    }

    public async Task<JsonObject> ReadJsonObjectAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context, limits.Value.MaxJsonBytes).ConfigureAwait(false);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            throw GatewayError.BadRequest($"request body is not valid JSON: {e.Message}");
        }

        return node as JsonObject ?? throw GatewayError.BadRequest("request body must be a JSON object");
    }

    private async Task<GatewayJob> ParseJsonAsync(HttpContext context, Pipeline pipeline)
    {
        var json = await ReadJsonObjectAsync(context).ConfigureAwait(false);
        if (pipeline == PipelineCatalog.Llm)
        {
            return await LlmJobAsync(json, context.RequestAborted).ConfigureAwait(false);
        }

        var contract = PipelineContract.For(pipeline);
        foreach (var (field, value) in contract.GatewayDefaults)
        {
            json[field] ??= value;
        }

        var requested = Str(json, contract.ModelField);
        var units = await MeasureAsync(contract, JobInput.FromJson(JsonSerializer.SerializeToElement(json)), requested ?? "", context.RequestAborted).ConfigureAwait(false);
        var modelId = await models.ResolveAsync(pipeline, requested, context.RequestAborted).ConfigureAwait(false);
        json[contract.ModelField] = modelId;
        if (modelId != requested)
        {
            units = await MeasureAsync(contract, JobInput.FromJson(JsonSerializer.SerializeToElement(json)), modelId, context.RequestAborted).ConfigureAwait(false);
        }

        return new GatewayJob
        {
            Pipeline = pipeline,
            ModelId = modelId,
            Units = units,
            Body = JsonSerializer.SerializeToUtf8Bytes(json),
            ContentType = "application/json",
        };
    }

    /// <summary>go-livepeer's /llm check (the llm contract): model, messages (non-empty), stream and max_tokens must all be present.</summary>
    public async Task<GatewayJob> LlmJobAsync(JsonObject json, CancellationToken cancellationToken)
    {
        var contract = PipelineContract.For(PipelineCatalog.Llm);
        var units = await MeasureAsync(contract, JobInput.FromJson(JsonSerializer.SerializeToElement(json)), "", cancellationToken).ConfigureAwait(false);
        var modelId = await models.ResolveAsync(PipelineCatalog.Llm, Str(json, "model"), cancellationToken).ConfigureAwait(false);
        json["model"] = modelId;
        return new GatewayJob
        {
            Pipeline = PipelineCatalog.Llm,
            ModelId = modelId,
            Units = units,
            Body = JsonSerializer.SerializeToUtf8Bytes(json),
            ContentType = "application/json",
            Stream = Bool(json, "stream")!.Value,
        };
    }

    /// <summary>The contract's check and units; its refusals become 400s, a host without ffprobe a 503 that says so.</summary>
    private static async Task<JobUnits> MeasureAsync(PipelineContract contract, JobInput input, string modelId, CancellationToken cancellationToken)
    {
        try
        {
            contract.CheckGatewayFields(input);
            return await contract.MeasureAsync(input, modelId, cancellationToken).ConfigureAwait(false);
        }
        catch (JobInputException e)
        {
            throw GatewayError.BadRequest(e.Message);
        }
        catch (MediaToolMissingException e)
        {
            throw new GatewayError(StatusCodes.Status503ServiceUnavailable, e.Message);
        }
    }

    private async Task<GatewayJob> ParseMultipartAsync(HttpContext context, Pipeline pipeline)
    {
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
        {
            throw new GatewayError(StatusCodes.Status415UnsupportedMediaType,
                $"{pipeline.Route} expects a multipart/form-data body (got '{context.Request.ContentType ?? "no content type"}')");
        }

        var body = await ReadBodyAsync(context, limits.Value.MaxMultipartBytes).ConfigureAwait(false);
        var parts = new List<FormPart>();
        try
        {
            var reader = new MultipartReader(boundary, new MemoryStream(body));
            while (await reader.ReadNextSectionAsync(context.RequestAborted).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                using var data = new MemoryStream();
                await section.Body.CopyToAsync(data, context.RequestAborted).ConfigureAwait(false);
                parts.Add(new FormPart(
                    HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "",
                    FileNameOf(disposition),
                    section.ContentType,
                    data.ToArray()));
            }
        }
        catch (IOException e)
        {
            throw GatewayError.BadRequest($"malformed multipart body: {e.Message}");
        }

        var contract = PipelineContract.For(pipeline);
        var input = JobInput.FromForm(
            parts.Where(p => !IsFile(p)).GroupBy(p => p.Name).ToDictionary(g => g.Key, g => Encoding.UTF8.GetString(g.First().Data), StringComparer.Ordinal),
            parts.Where(IsFile).GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.First().Data, StringComparer.Ordinal));
        var requested = Field(parts, "model_id");
        var units = await MeasureAsync(contract, input, requested ?? "", context.RequestAborted).ConfigureAwait(false);
        var modelId = await models.ResolveAsync(pipeline, requested, context.RequestAborted).ConfigureAwait(false);
        if (modelId != requested && pipeline != PipelineCatalog.AudioToText)
        {
            units = await MeasureAsync(contract, input, modelId, context.RequestAborted).ConfigureAwait(false);
        }

        parts.RemoveAll(p => p.Name == "model_id");
        parts.Add(new FormPart("model_id", null, null, Encoding.UTF8.GetBytes(modelId)));
        var (rebuilt, contentType) = Rebuild(parts);
        return new GatewayJob { Pipeline = pipeline, ModelId = modelId, Units = units, Body = rebuilt, ContentType = contentType };
    }

    private static bool IsFile(FormPart part) => part.FileName is not null || part.Name is "image" or "audio";

    private static (byte[] Body, string ContentType) Rebuild(List<FormPart> parts)
    {
        var boundary = "lpgw" + Guid.NewGuid().ToString("N");
        using var output = new MemoryStream();
        foreach (var part in parts)
        {
            var head = new StringBuilder().Append("--").Append(boundary).Append("\r\n")
                .Append("Content-Disposition: form-data; name=\"").Append(part.Name).Append('"');
            if (part.FileName is not null)
            {
                head.Append("; filename=\"").Append(part.FileName.Replace("\"", "", StringComparison.Ordinal)).Append('"');
            }

            head.Append("\r\n");
            if (!string.IsNullOrEmpty(part.ContentType))
            {
                head.Append("Content-Type: ").Append(part.ContentType).Append("\r\n");
            }

            head.Append("\r\n");
            output.Write(Encoding.UTF8.GetBytes(head.ToString()));
            output.Write(part.Data);
            output.Write("\r\n"u8);
        }

        output.Write(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"));
        return (output.ToArray(), $"multipart/form-data; boundary={boundary}");
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context, long limit)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = null;
        }

        if (context.Request.ContentLength > limit)
        {
            throw new GatewayError(StatusCodes.Status413PayloadTooLarge, $"request body is {context.Request.ContentLength} bytes; the limit is {limit} bytes");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new GatewayError(StatusCodes.Status413PayloadTooLarge, $"request body is larger than the limit of {limit} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static string? FileNameOf(ContentDispositionHeaderValue disposition)
    {
        var name = HeaderUtilities.RemoveQuotes(disposition.FileNameStar).Value;
        return string.IsNullOrEmpty(name) ? HeaderUtilities.RemoveQuotes(disposition.FileName).Value : name;
    }

    private sealed record FormPart(string Name, string? FileName, string? ContentType, byte[] Data);

    private static string? Field(List<FormPart> parts, string name) =>
        parts.FirstOrDefault(p => p.Name == name && p.FileName is null) is { } part ? Encoding.UTF8.GetString(part.Data) : null;

    internal static string? Str(JsonObject json, string name)
    {
        var node = json[name];
        if (node is null)
        {
            return null;
        }

        return node is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw GatewayError.BadRequest($"{name} must be a string");
    }

    internal static int? Int(JsonObject json, string name)
    {
        var node = json[name];
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            if (v.TryGetValue<int>(out var i))
            {
                return i;
            }

            if (v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue)
            {
                return (int)d;
            }
        }

        throw GatewayError.BadRequest($"{name} must be an integer");
    }

    internal static bool? Bool(JsonObject json, string name)
    {
        var node = json[name];
        if (node is null)
        {
            return null;
        }

        return node is JsonValue v && v.TryGetValue<bool>(out var b) ? b : throw GatewayError.BadRequest($"{name} must be true or false");
    }
}
