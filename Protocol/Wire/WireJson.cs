using System.Text.Json;
using System.Text.Json.Serialization;

namespace LivepeerAspire.Protocol.Wire;

/// <summary>
/// JSON settings shared by every Livepeer, ai-runner and Ollama wire type: snake_case names and null
/// members left out (the @livepeer/ai SDK rejects a choice whose delta or message is null).
/// </summary>
public static class WireJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.Strict,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
