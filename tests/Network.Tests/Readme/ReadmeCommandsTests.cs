using System.Diagnostics;
using System.Text.RegularExpressions;
using LivepeerAspire.Network.Tests.Support;
using LivepeerAspire.Tests.Shared;

namespace LivepeerAspire.Network.Tests.Readme;

/// <summary>The default topology as <c>dotnet run --project AppHost</c> starts it, on a free gateway port.</summary>
public sealed class DefaultNetworkFixture() : TopologyNetworkFixture("../../../AppHost/topologies/default.json");

[CollectionDefinition(Name)]
public sealed class DefaultNetwork : ICollectionFixture<DefaultNetworkFixture>
{
    public const string Name = "Default network";
}

/// <summary>
/// Every curl command of the README's "Try it" section, run as a reader runs it (bash, curl, with a cat.png, a
/// small.png and a speech.wav beside it) against the default network: each must answer 2xx.
/// </summary>
[Collection(DefaultNetwork.Name)]
public sealed partial class ReadmeCommandsTests(DefaultNetworkFixture network)
{
    public static TheoryData<string> Commands()
    {
        var readme = File.ReadAllLines(Path.Combine(TopologyNetworkFixture.FindRepositoryRoot(), "README.md"));
        var start = Array.FindIndex(readme, l => l.StartsWith("## Try it", StringComparison.Ordinal));
        var open = Array.FindIndex(readme, start, l => l.StartsWith("```", StringComparison.Ordinal));
        var close = Array.FindIndex(readme, open + 1, l => l.StartsWith("```", StringComparison.Ordinal));
        var joined = string.Join('\n', readme[(open + 1)..close]).Replace("\\\n", " ", StringComparison.Ordinal);
        var data = new TheoryData<string>();
        foreach (var line in joined.Split('\n').Where(l => l.TrimStart().StartsWith("curl ", StringComparison.Ordinal)))
        {
            data.Add(TrailingComment().Replace(line, "").Trim());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task The_readme_command_answers_2xx_on_the_default_network(string command)
    {
        var dir = Directory.CreateTempSubdirectory("readme-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(dir, "cat.png"), TestImages.Encode("png", 256, 256));
            await File.WriteAllBytesAsync(Path.Combine(dir, "small.png"), TestImages.Encode("png", 64, 64));
            await File.WriteAllBytesAsync(Path.Combine(dir, "speech.wav"), TestAudio.Encode("wav", 2));
            var start = new ProcessStartInfo("bash") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"{command} -m 120 -o out.bin -w '%{{http_code}}'");
            start.Environment["GW"] = network.GatewayUrl;
            using var process = Process.Start(start)!;
            var status = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();

            var body = File.Exists(Path.Combine(dir, "out.bin")) ? await File.ReadAllTextAsync(Path.Combine(dir, "out.bin")) : "";
            status.ShouldStartWith("2", Case.Sensitive, $"{command} answered {status}: {body[..Math.Min(300, body.Length)]}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [GeneratedRegex(@"\s{2,}#.*$")]
    private static partial Regex TrailingComment();
}
