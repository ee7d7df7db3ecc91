using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LivepeerAspire.Gateway.Discovery;
using LivepeerAspire.Gateway.Forwarding;
using LivepeerAspire.Gateway.Payments;
using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Protocol.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace LivepeerAspire.Gateway.Api;

/// <summary>Reads and checks a pipeline request, resolves its model and computes its units.</summary>
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

        var modelId = await models.ResolveAsync(pipeline, Str(json, "model_id"), context.RequestAborted).ConfigureAwait(false);
        json["model_id"] = modelId;
        JobUnits units;
        if (pipeline == PipelineCatalog.TextToImage)
        {
            if (string.IsNullOrWhiteSpace(Str(json, "prompt")))
            {
                throw GatewayError.BadRequest("prompt is required: Prompt must be provided.");
            }

            // go-livepeer's gateway fills a missing size with 512 × 512 (the runner's own default is 576 × 1024).
            json["height"] ??= 512;
            json["width"] ??= 512;
            units = ComputeUnits.TextToImage(modelId, Int(json, "height"), Int(json, "width"), Int(json, "num_images_per_prompt"), Int(json, "num_inference_steps"));
        }
        else
        {
            var text = Str(json, "text");
            if (string.IsNullOrEmpty(text))
            {
                throw GatewayError.BadRequest("text is required: Text input must be provided.");
            }

            units = ComputeUnits.TextToSpeech(text);
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

    /// <summary>go-livepeer's /llm check: model, messages (non-empty), stream and max_tokens must all be present.</summary>
    public async Task<GatewayJob> LlmJobAsync(JsonObject json, CancellationToken cancellationToken)
    {
        var missing = new[] { "model", "messages", "stream", "max_tokens" }.Where(f => json[f] is null).ToList();
        if (json["messages"] is JsonArray { Count: 0 })
        {
            missing.Add("messages (empty)");
        }

        if (missing.Count > 0)
        {
            throw GatewayError.BadRequest($"missing required fields: {string.Join(", ", missing)}");
        }

        var maxTokens = Int(json, "max_tokens")!.Value;
        if (maxTokens < 1)
        {
            throw GatewayError.BadRequest($"max_tokens must be at least 1 (got {maxTokens})");
        }

        var stream = Bool(json, "stream")!.Value;
        if (json["messages"] is not JsonArray messages)
        {
            throw GatewayError.BadRequest("messages must be an array of {role, content}");
        }

        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not JsonObject m || Str(m, "role") is not ("system" or "user" or "assistant") || m["content"] is null)
            {
                throw GatewayError.BadRequest($"messages[{i}] must be {{\"role\": \"system\"|\"user\"|\"assistant\", \"content\": \"…\"}}");
            }

            _ = Str(m, "content");
        }

        var modelId = await models.ResolveAsync(PipelineCatalog.Llm, Str(json, "model"), cancellationToken).ConfigureAwait(false);
        json["model"] = modelId;
        return new GatewayJob
        {
            Pipeline = PipelineCatalog.Llm,
            ModelId = modelId,
            Units = ComputeUnits.Llm(maxTokens),
            Body = JsonSerializer.SerializeToUtf8Bytes(json),
            ContentType = "application/json",
            Stream = stream,
        };
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

        var modelId = await models.ResolveAsync(pipeline, Field(parts, "model_id"), context.RequestAborted).ConfigureAwait(false);
        var units = Units(pipeline, modelId, parts);
        parts.RemoveAll(p => p.Name == "model_id");
        parts.Add(new FormPart("model_id", null, null, Encoding.UTF8.GetBytes(modelId)));
        var (rebuilt, contentType) = Rebuild(parts);
        return new GatewayJob { Pipeline = pipeline, ModelId = modelId, Units = units, Body = rebuilt, ContentType = contentType };
    }

    private static JobUnits Units(Pipeline pipeline, string modelId, List<FormPart> parts)
    {
        if (pipeline == PipelineCatalog.AudioToText)
        {
            var audio = parts.FirstOrDefault(p => p.Name == "audio");
            if (audio is null || audio.Data.Length == 0)
            {
                throw GatewayError.BadRequest("audio is required: send the audio file as the form part 'audio'");
            }

            return ComputeUnits.AudioToText(AudioSeconds(audio.Data));
        }

        var image = parts.FirstOrDefault(p => p.Name == "image");
        if (image is null || image.Data.Length == 0)
        {
            throw GatewayError.BadRequest("image is required: send the image file as the form part 'image'");
        }

        if (!ImageHeader.TryRead(image.Data, out var header))
        {
            throw GatewayError.BadRequest("image is not a PNG, JPEG, GIF or WebP image");
        }

        if ((pipeline == PipelineCatalog.ImageToImage || pipeline == PipelineCatalog.Upscale) && string.IsNullOrWhiteSpace(Field(parts, "prompt")))
        {
            throw GatewayError.BadRequest("prompt is required");
        }

        return pipeline.Name switch
        {
            "image-to-image" => ComputeUnits.ImageToImage(modelId, header.Pixels, FormInt(parts, "num_images_per_prompt"), FormInt(parts, "num_inference_steps")),
            "image-to-video" => ComputeUnits.ImageToVideo(FormInt(parts, "height"), FormInt(parts, "width"), FormInt(parts, "num_inference_steps")),
            "upscale" => ComputeUnits.Upscale(header.Pixels, FormInt(parts, "num_inference_steps")),
            _ => ComputeUnits.InputPixels(header.Pixels),
        };
    }

    /// <summary>WAV duration from its header; other formats are estimated at 128 kbit/s (no ffprobe here).</summary>
    internal static double AudioSeconds(byte[] data)
    {
        ReadOnlySpan<byte> d = data;
        if (d.Length >= 12 && d[..4].SequenceEqual("RIFF"u8) && d.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            var i = 12;
            var byteRate = 0;
            while (i + 8 <= d.Length)
            {
                var id = d.Slice(i, 4);
                var size = BinaryPrimitives.ReadInt32LittleEndian(d[(i + 4)..]);
                if (id.SequenceEqual("fmt "u8) && i + 20 <= d.Length)
                {
                    byteRate = BinaryPrimitives.ReadInt32LittleEndian(d[(i + 16)..]);
                }
                else if (id.SequenceEqual("data"u8) && byteRate > 0)
                {
                    return Math.Min(size, d.Length - i - 8) / (double)byteRate;
                }

                if (size < 0)
                {
                    break;
                }

                i += 8 + size + (size & 1);
            }
        }

        return data.Length / 16000.0;
    }

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

    private static int? FormInt(List<FormPart> parts, string name)
    {
        var text = Field(parts, name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw GatewayError.BadRequest($"{name} must be an integer (got '{text}')");
    }

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
