using System.Globalization;
using System.Text.Json;

namespace LivepeerAspire.Protocol.Pipelines.Contracts;

/// <summary>
/// A request's fields whatever its body: a JSON object (text-to-image, llm, text-to-speech) or a multipart form
/// (text fields and files). Typed reads throw <see cref="JobInputException"/> naming the field.
/// </summary>
public sealed class JobInput
{
    private readonly JsonElement json;
    private readonly IReadOnlyDictionary<string, string>? fields;
    private readonly IReadOnlyDictionary<string, byte[]>? files;

    private JobInput(JsonElement json, IReadOnlyDictionary<string, string>? fields, IReadOnlyDictionary<string, byte[]>? files)
    {
        this.json = json;
        this.fields = fields;
        this.files = files;
    }

    public static JobInput FromJson(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
            ? new JobInput(root.Clone(), null, null)
            : throw new JobInputException("body", "request body must be a JSON object");

    public static JobInput FromForm(IReadOnlyDictionary<string, string> fields, IReadOnlyDictionary<string, byte[]> files) =>
        new(default, fields, files);

    public bool IsForm => fields is not null;

    /// <summary>The field's raw JSON (JSON bodies only), or null when absent or null.</summary>
    public JsonElement? Element(string name) =>
        !IsForm && json.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public bool Has(string name) => IsForm ? fields!.ContainsKey(name) || files!.ContainsKey(name) : Element(name) is not null;

    public string? String(string name)
    {
        if (IsForm)
        {
            return fields!.TryGetValue(name, out var text) ? text : null;
        }

        return Element(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.String } s => s.GetString(),
            _ => throw new JobInputException(name, $"{name} must be a string"),
        };
    }

    public int? Int(string name)
    {
        if (IsForm)
        {
            var text = String(name);
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw new JobInputException(name, $"{name} must be an integer (got '{text}')");
        }

        if (Element(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt32(out var i))
            {
                return i;
            }

            if (value.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue)
            {
                return (int)d;
            }
        }

        throw new JobInputException(name, $"{name} must be an integer (got {value.GetRawText()})");
    }

    public bool? Bool(string name)
    {
        if (IsForm)
        {
            return String(name)?.Trim().ToLowerInvariant() switch
            {
                null or "" => null,
                "true" or "1" or "yes" or "on" => true,
                "false" or "0" or "no" or "off" => false,
                var other => throw new JobInputException(name, $"{name} must be true or false (got '{other}')"),
            };
        }

        return Element(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            _ => throw new JobInputException(name, $"{name} must be true or false"),
        };
    }

    /// <summary>An uploaded file's bytes (forms only), or null when the part is absent.</summary>
    public byte[]? File(string name) => IsForm && files!.TryGetValue(name, out var data) ? data : null;
}
