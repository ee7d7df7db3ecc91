using System.Text.Json;
using System.Text.Json.Serialization;

namespace LivepeerAspire.Runner.Simulated.Fleet;

/// <summary>Reads profile and fleet files: camelCase, comments allowed, unknown members refused (typos fail loudly).</summary>
internal static class StrictJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static T Parse<T>(string text, string file)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(text, Options)
                ?? throw new ConfigFileException(file, "$", "the file holds JSON null, expected an object");
        }
        catch (JsonException ex)
        {
            throw new ConfigFileException(file, ex.Path ?? "$", Reason(ex.Message));
        }
    }

    public static T ParseFile<T>(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigFileException(path, "$", $"cannot read the file ({ex.Message})");
        }

        return Parse<T>(text, path);
    }

    /// <summary>System.Text.Json appends " Path: … | LineNumber: …"; the path is reported separately.</summary>
    private static string Reason(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut >= 0 ? message[..cut] : message).Trim();
    }
}
