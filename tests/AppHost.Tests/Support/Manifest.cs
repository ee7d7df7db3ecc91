using System.Text.Json;

namespace LivepeerAspire.AppHost.Tests.Support;

/// <summary>
/// Aspire's deployment manifest of a topology, written the way a user writes it:
/// <c>dotnet AppHost.dll --publisher manifest --output-path F --topology T</c>.
/// </summary>
internal sealed class Manifest
{
    private Manifest(JsonElement resources, string directory, string runDirectory)
    {
        Resources = resources;
        Directory = directory;
        RunDirectory = runDirectory;
    }

    public JsonElement Resources { get; }

    public string Directory { get; }

    public string RunDirectory { get; }

    public IReadOnlyList<string> Names => Resources.EnumerateObject().Select(p => p.Name).ToList();

    public JsonElement this[string resource] => Resources.GetProperty(resource);

    public string Env(string resource, string key) =>
        this[resource].GetProperty("env").TryGetProperty(key, out var value)
            ? value.GetString()!
            : throw new KeyNotFoundException($"{resource} has no {key} in its manifest env");

    /// <summary>The resource's one binding: <c>http</c>, or <c>https</c> for orchestrators.</summary>
    public JsonProperty Binding(string resource) => this[resource].GetProperty("bindings").EnumerateObject().Single();

    public int Port(string resource) => Binding(resource).Value.GetProperty("targetPort").GetInt32();

    public string Url(string resource) => $"{Binding(resource).Value.GetProperty("scheme").GetString()}://127.0.0.1:{Port(resource)}";

    public static async Task<Manifest> PublishAsync(string topology, string directory)
    {
        var file = Path.Combine(directory, "manifest.json");
        var run = Path.Combine(directory, "run");
        await using var host = AppHostProcess.Start("--publisher", "manifest", "--output-path", file, "--topology", topology, "--run-dir", run);
        (await host.WaitForExitAsync(TimeSpan.FromMinutes(2))).ShouldBeTrue("the manifest publisher should finish");
        host.ExitCode.ShouldBe(0, host.Stderr);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(file));
        return new Manifest(document.RootElement.GetProperty("resources").Clone(), directory, run);
    }
}
