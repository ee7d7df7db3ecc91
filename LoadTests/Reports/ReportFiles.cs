using System.Text.Json;
using System.Text.Json.Serialization;
using LivepeerAspire.LoadTests.Running;

namespace LivepeerAspire.LoadTests.Reports;

/// <summary>Writes and reads a report folder: report.md, report.html, results.csv, summary.json.</summary>
public static class ReportFiles
{
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(string folder, Report report, IEnumerable<RequestRecord> records)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "report.md"), MarkdownReportWriter.Render(report));
        File.WriteAllText(Path.Combine(folder, "report.html"), HtmlReportWriter.Render(report));
        File.WriteAllText(Path.Combine(folder, "results.csv"), CsvResultsWriter.Render(records));
        File.WriteAllText(Path.Combine(folder, "summary.json"), JsonSerializer.Serialize(report, JsonOptions));
    }

    /// <summary>Reads a summary.json (or the one inside a report folder); the error says what is wrong.</summary>
    public static Report ReadSummary(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, "summary.json") : path;
        if (!File.Exists(file))
        {
            throw new UsageException($"no summary.json at '{path}'");
        }

        try
        {
            return JsonSerializer.Deserialize<Report>(File.ReadAllText(file), JsonOptions)
                ?? throw new UsageException($"'{file}' is empty");
        }
        catch (JsonException e)
        {
            throw new UsageException($"'{file}' is not a load-test summary.json: {e.Message}");
        }
    }
}
