using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace LivepeerAspire.Orchestrator.Jobs;

/// <summary>
/// Splits a multipart/form-data body into text fields and files (the parts named image or audio, or sent with a
/// file name). Part content types are not relied on: the @livepeer/ai SDK sends "blob".
/// </summary>
public static class MultipartJobReader
{
    private static readonly HashSet<string> FileParts = new(StringComparer.Ordinal) { "image", "audio" };

    public readonly record struct Form(Dictionary<string, string> Fields, Dictionary<string, byte[]> Files, string? Error);

    public static async Task<Form> ReadAsync(string route, byte[] body, string? contentType)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return new Form(fields, files, $"{route} takes multipart/form-data, got '{contentType ?? "no content type"}'");
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            return new Form(fields, files, "multipart/form-data content type has no boundary");
        }

        try
        {
            var reader = new MultipartReader(boundary, new MemoryStream(body));
            while (await reader.ReadNextSectionAsync() is { } section)
            {
                var disposition = section.GetContentDispositionHeader();
                var name = disposition?.Name.Value?.Trim('"');
                if (string.IsNullOrEmpty(name))
                {
                    continue;
                }

                using var content = new MemoryStream();
                await section.Body.CopyToAsync(content);
                if (FileParts.Contains(name) || !string.IsNullOrEmpty(disposition!.FileName.Value) || !string.IsNullOrEmpty(disposition.FileNameStar.Value))
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
            return new Form(fields, files, $"malformed multipart body: {e.Message}");
        }

        return new Form(fields, files, null);
    }
}
