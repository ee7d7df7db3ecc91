using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LivepeerAspire.Protocol.Tests.Eth;

/// <summary>
/// Runs tests/js/eth-vectors.mjs (ethers.js + Node crypto) on a batch of cases and returns its answers, so the
/// C# results are compared with an implementation that shares no code with ours. A missing Node or missing
/// tests/js/node_modules fails the test: CI runs `npm ci` in tests/js.
/// </summary>
internal static class EthersVectors
{
    public static JsonArray Run(IEnumerable<JsonObject> cases)
    {
        var directory = FindScriptDirectory();
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "ethers")))
        {
            throw new InvalidOperationException($"ethers is not installed: run `npm ci` in {directory}");
        }

        var input = new JsonObject { ["cases"] = new JsonArray(cases.Cast<JsonNode>().ToArray()) }.ToJsonString();
        var start = new ProcessStartInfo("node", "eth-vectors.mjs")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardInput.Write(input);
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
            {
                throw new TimeoutException("eth-vectors.mjs did not finish within 120 s");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"eth-vectors.mjs failed ({process.ExitCode}): {stderr.Result}");
            }

            return JsonNode.Parse(stdout.Result)!["results"]!.AsArray();
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    public static JsonObject Case(string op, params (string Name, JsonNode? Value)[] fields)
    {
        var o = new JsonObject { ["op"] = op };
        foreach (var (name, value) in fields)
        {
            o[name] = value;
        }

        return o;
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);

    public static byte[] Bytes(JsonNode? node) => Convert.FromHexString(node!.GetValue<string>()[2..]);

    private static string FindScriptDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "js");
            if (File.Exists(Path.Combine(candidate, "eth-vectors.mjs")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/js/eth-vectors.mjs not found above " + AppContext.BaseDirectory);
    }
}
