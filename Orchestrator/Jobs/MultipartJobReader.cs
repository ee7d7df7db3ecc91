using System.Globalization;
using System.Text;
using System.Text.Json;
using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Protocol.Pipelines;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace LivepeerAspire.Orchestrator.Jobs;

/// <summary>
/// Multipart job bodies. Image inputs must be PNG, JPEG, GIF or WebP (their header gives the size that
/// prices the job, as go-livepeer's image.DecodeConfig does); audio must be WAV or carry the gateway's
/// <c>metadata={"duration":…}</c>. Part content types and file names are not relied on.
/// </summary>
public static class MultipartJobReader
{
    private static readonly HashSet<string> FileParts = new(StringComparer.Ordinal) { "image", "audio" };

    public static async Task<JobParse> ReadAsync(Pipeline pipeline, byte[] body, string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return JobParse.Fail($"{pipeline.Name} takes multipart/form-data, got '{contentType ?? "no content type"}'");
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            return JobParse.Fail("multipart/form-data content type has no boundary");
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        try
        {
            var reader = new MultipartReader(boundary, new MemoryStream(body));
            while (await reader.ReadNextSectionAsync() is { } section)
            {
                var name = section.GetContentDispositionHeader()?.Name.Value?.Trim('"');
                if (string.IsNullOrEmpty(name))
                {
                    continue;
                }

                using var content = new MemoryStream();
                await section.Body.CopyToAsync(content);
                if (FileParts.Contains(name))
                {
                    files[name] = content.ToArray();
                }
                else
                {
                    fields[name] = Encoding.UTF8.GetString(content.ToArray());
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            return JobParse.Fail($"malformed multipart body: {e.Message}");
        }

        var model = fields.GetValueOrDefault("model_id", "");
        return pipeline.Name switch
        {
            "image-to-image" => ImageJob(files, model, fields, requirePrompt: true, perImage: true),
            "upscale" => ImageJob(files, model, fields, requirePrompt: true, perImage: false),
            "segment-anything-2" or "image-to-text" => ImageJob(files, model, fields, requirePrompt: false, perImage: false),
            "image-to-video" => ImageToVideo(files, model, fields),
            "audio-to-text" => AudioToText(files, model, fields),
            _ => JobParse.Fail($"{pipeline.Name} takes a JSON body, not multipart/form-data"),
        };
    }

    private static JobParse ImageJob(Dictionary<string, byte[]> files, string model, Dictionary<string, string> fields, bool requirePrompt, bool perImage)
    {
        if (ReadImage(files, out var header) is { } error)
        {
            return JobParse.Fail(error);
        }

        if (requirePrompt && string.IsNullOrWhiteSpace(fields.GetValueOrDefault("prompt")))
        {
            return JobParse.Fail("prompt is required");
        }

        var images = 1;
        if (perImage && FormInt(fields, "num_images_per_prompt", 1, out images) is { } countError)
        {
            return JobParse.Fail(countError);
        }

        return JobParse.Ok(model, header.Pixels * images);
    }

    private static JobParse ImageToVideo(Dictionary<string, byte[]> files, string model, Dictionary<string, string> fields)
    {
        if (ReadImage(files, out _) is { } error)
        {
            return JobParse.Fail(error);
        }

        var heightError = FormInt(fields, "height", 576, out var height);
        var widthError = FormInt(fields, "width", 1024, out var width);
        if ((heightError ?? widthError) is { } sizeError)
        {
            return JobParse.Fail(sizeError);
        }

        return JobParse.Ok(model, (long)height * width * 25);
    }

    private static JobParse AudioToText(Dictionary<string, byte[]> files, string model, Dictionary<string, string> fields)
    {
        if (!files.TryGetValue("audio", out var audio) || audio.Length == 0)
        {
            return JobParse.Fail("audio file is required");
        }

        if (!WavDuration.TryRead(audio, out var seconds) && !MetadataDuration(fields, out seconds))
        {
            return JobParse.Fail("Unable to calculate duration: send a WAV file or metadata={\"duration\":<seconds>}");
        }

        var units = (long)Math.Floor(seconds) * 1000;
        return units <= 0 ? JobParse.Fail("Unable to calculate duration: audio is shorter than one second") : JobParse.Ok(model, units);
    }

    private static string? ReadImage(Dictionary<string, byte[]> files, out ImageHeader header)
    {
        header = default;
        if (!files.TryGetValue("image", out var image) || image.Length == 0)
        {
            return "image file is required";
        }

        return ImageHeader.TryRead(image, out header) ? null : "image is not a PNG, JPEG, GIF or WebP image";
    }

    private static string? FormInt(Dictionary<string, string> fields, string name, int fallback, out int value)
    {
        value = fallback;
        if (!fields.TryGetValue(name, out var text) || text.Length == 0)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value > 0
            ? null
            : $"{name} must be a positive integer, got '{text}'";
    }

    private static bool MetadataDuration(Dictionary<string, string> fields, out double seconds)
    {
        seconds = 0;
        if (!fields.TryGetValue("metadata", out var metadata))
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(metadata);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("duration", out var d))
            {
                return false;
            }

            return d.ValueKind == JsonValueKind.Number ? d.TryGetDouble(out seconds)
                : d.ValueKind == JsonValueKind.String && double.TryParse(d.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out seconds);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
