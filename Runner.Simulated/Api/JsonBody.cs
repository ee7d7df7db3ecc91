using System.Text.Json;
using LivepeerAspire.Protocol.Wire;

namespace LivepeerAspire.Runner.Simulated.Api;

/// <summary>Reads a JSON request body the way FastAPI validates it: syntax, object shape, required members, types.</summary>
public static class JsonBody
{
    /// <summary>The parsed body, or null after a 422 has been written.</summary>
    public static async Task<T?> ReadAsync<T>(HttpContext ctx, params string[] required)
        where T : class
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
        }
        catch (JsonException ex)
        {
            var empty = ctx.Request.ContentLength == 0 || ex.BytePositionInLine == 0 && ex.LineNumber == 0;
            await RunnerResponses.Validation(ctx, empty
                ? [new ValidationItem("missing", ["body"], "Field required")]
                : [new ValidationItem("json_invalid", ["body", ex.BytePositionInLine ?? 0], "JSON decode error", new { error = ex.Message })]);
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                await RunnerResponses.Validation(ctx,
                    [new ValidationItem("model_attributes_type", ["body"], "Input should be a valid dictionary or object to extract fields from", RunnerResponses.Describe(root.ValueKind))]);
                return null;
            }

            var missing = required.Where(name => !root.TryGetProperty(name, out _))
                .Select(name => new ValidationItem("missing", ["body", name], "Field required"))
                .ToList();
            if (missing.Count > 0)
            {
                await RunnerResponses.Validation(ctx, missing);
                return null;
            }

            try
            {
                return root.Deserialize<T>(WireJson.Options);
            }
            catch (JsonException ex)
            {
                var loc = new List<object> { "body" };
                loc.AddRange(PathSegments(ex.Path));
                await RunnerResponses.Validation(ctx,
                    [new ValidationItem("type_error", [.. loc], $"Input has the wrong type: {Reason(ex.Message)}")]);
                return null;
            }
        }
    }

    private static IEnumerable<object> PathSegments(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            yield break;
        }

        foreach (var part in path.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bracket = part.IndexOf('[');
            if (bracket < 0)
            {
                yield return part;
                continue;
            }

            if (bracket > 0)
            {
                yield return part[..bracket];
            }

            foreach (var index in part[bracket..].Split(['[', ']'], StringSplitOptions.RemoveEmptyEntries))
            {
                yield return int.TryParse(index, out var i) ? i : index;
            }
        }
    }

    private static string Reason(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut >= 0 ? message[..cut] : message;
    }
}
