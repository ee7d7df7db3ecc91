using System.Text.Json;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Gateway.Selection;

/// <summary>
/// The selection settings in force: the registered strategies by name, the one in use and the weights. Starts from
/// configuration; PUT /admin/selection replaces them at run time after the same validation as at start-up.
/// </summary>
public sealed class StrategySelector
{
    private readonly Dictionary<string, ISelectionStrategy> strategies;
    private readonly Lock gate = new();
    private volatile ISelectionStrategy current;
    private volatile SelectionOptions options;

    public StrategySelector(IEnumerable<ISelectionStrategy> registered, IOptions<SelectionOptions> configured)
    {
        strategies = registered.ToDictionary(s => s.Name, StringComparer.Ordinal);
        options = configured.Value;
        current = strategies.TryGetValue(options.Strategy, out var chosen)
            ? chosen
            : throw new OptionsValidationException(SelectionOptions.Section, typeof(SelectionOptions),
                [$"Selection:Strategy '{options.Strategy}' is unknown; use one of {string.Join(", ", strategies.Keys)}"]);
    }

    public ISelectionStrategy Current => current;

    public SelectionOptions Options => options;

    public IReadOnlyCollection<string> Names => strategies.Keys;

    /// <summary>Applies a change (any subset of SelectionOptions' members, in snake_case or camelCase); all or nothing.</summary>
    public bool TryUpdate(JsonElement change, out IReadOnlyList<string> errors)
    {
        lock (gate)
        {
            SelectionOptions candidate;
            try
            {
                var merged = JsonSerializer.SerializeToNode(options, Json)!.AsObject();
                foreach (var property in change.EnumerateObject())
                {
                    var name = ToPascal(property.Name);
                    if (!merged.ContainsKey(name))
                    {
                        errors = [$"unknown selection setting '{property.Name}'"];
                        return false;
                    }

                    merged[name] = System.Text.Json.Nodes.JsonNode.Parse(property.Value.GetRawText());
                }

                candidate = merged.Deserialize<SelectionOptions>(Json)!;
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                errors = [$"invalid selection settings: {e.Message}"];
                return false;
            }

            var problems = candidate.Validate().ToList();
            if (problems.Count > 0)
            {
                errors = problems;
                return false;
            }

            options = candidate;
            current = strategies[candidate.Strategy];
            errors = [];
            return true;
        }
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    private static string ToPascal(string name)
    {
        var parts = name.Split('_', StringSplitOptions.RemoveEmptyEntries);
        return string.Concat(parts.Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }
}
