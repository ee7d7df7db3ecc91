using LivepeerAspire.Runner.Simulated.Profiles;

namespace LivepeerAspire.Runner.Simulated.Fleet;

/// <summary>
/// <c>Runner.Simulated --validate FILE [--profiles FILE]</c>: checks a fleet file (or, when the file has a
/// "models" member, a profile file) without starting a server. Exit 0, or 2 with one line naming the file,
/// the JSON path and the reason.
/// </summary>
public static class ValidateCommand
{
    public static bool TryRun(string[] args, TextWriter output, out int exitCode)
    {
        exitCode = 0;
        var at = Array.IndexOf(args, "--validate");
        if (at < 0)
        {
            return false;
        }

        if (at + 1 >= args.Length)
        {
            output.WriteLine("usage: Runner.Simulated --validate FLEET_OR_PROFILE_FILE [--profiles PROFILE_FILE]");
            exitCode = 2;
            return true;
        }

        var file = args[at + 1];
        var profilesAt = Array.IndexOf(args, "--profiles");
        var profilesPath = profilesAt >= 0 && profilesAt + 1 < args.Length ? args[profilesAt + 1] : SimulatorOptions.DefaultProfilesPath;
        try
        {
            if (IsProfileFile(file))
            {
                var catalog = ProfileValidator.Load(file);
                output.WriteLine($"{file}: OK (profile file: {catalog.File.Gpus.Count} GPUs, {catalog.File.Models.Count} models)");
            }
            else
            {
                var fleet = FleetValidator.Load(file, ProfileValidator.Load(profilesPath));
                output.WriteLine($"{file}: OK ({fleet.Gpus.Count} GPUs, timeScale {fleet.TimeScale}, seed {fleet.Seed})");
            }
        }
        catch (ConfigFileException ex)
        {
            output.WriteLine(ex.Message);
            exitCode = 2;
        }

        return true;
    }

    private static bool IsProfileFile(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var doc = System.Text.Json.JsonDocument.Parse(stream, new System.Text.Json.JsonDocumentOptions
            {
                CommentHandling = System.Text.Json.JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
            return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && doc.RootElement.TryGetProperty("models", out _);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return false; // the fleet loader reports the problem with its path
        }
    }
}
