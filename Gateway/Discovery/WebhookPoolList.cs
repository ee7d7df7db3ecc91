using System.Text.Json;

namespace LivepeerAspire.Gateway.Discovery;

/// <summary>
/// Reads an orchestrator webhook's body: a JSON array of <c>{"address":"&lt;service url&gt;","score":&lt;float&gt;}</c>
/// (field names in any case, as Go's decoder matches them). A body that is not such an array is bad as a whole;
/// single entries that cannot be used are skipped with the reason: an empty address silently, an address that is
/// not an absolute http(s) URL, and a score below 0 (go-livepeer's AI discovery only asks orchestrators scoring ≥ 0).
/// </summary>
public static class WebhookPoolList
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    public static bool TryParse(ReadOnlySpan<byte> body, out IReadOnlyList<Uri> urls, out IReadOnlyList<string> skipped, out string error)
    {
        urls = [];
        skipped = [];
        List<Entry?>? entries;
        try
        {
            entries = JsonSerializer.Deserialize<List<Entry?>>(body, Json);
        }
        catch (JsonException e)
        {
            error = $"body is not a JSON array of {{\"address\",\"score\"}}: {e.Message}";
            return false;
        }

        var found = new List<Uri>();
        var notes = new List<string>();
        for (var i = 0; i < (entries?.Count ?? 0); i++)
        {
            var entry = entries![i];
            if (string.IsNullOrEmpty(entry?.Address))
            {
                continue;
            }

            if (!DiscoveryOptions.IsHttpUrl(entry.Address) || !Uri.TryCreate(entry.Address, UriKind.Absolute, out var uri))
            {
                notes.Add($"entry {i}: address '{entry.Address}' is not an absolute http(s) URL");
            }
            else if (entry.Score < 0)
            {
                notes.Add($"entry {i}: {entry.Address} has score {entry.Score}, below 0");
            }
            else
            {
                found.Add(uri);
            }
        }

        urls = found.DistinctBy(OrchestratorKey.Of).ToList();
        skipped = notes;
        error = "";
        return true;
    }

    private sealed record Entry(string? Address, float? Score);
}
