using System.Diagnostics;

namespace LivepeerAspire.Tests.Shared;

/// <summary>Runs Debian's ffmpeg (installed by .ci/run) to make a test file, cached per set of arguments.</summary>
internal static class Ffmpeg
{
    private static readonly Dictionary<string, byte[]> Cache = [];

    /// <summary>The bytes ffmpeg writes for <paramref name="arguments"/> (input and codec options) into a file with <paramref name="extension"/>.</summary>
    public static byte[] Encode(string arguments, string extension)
    {
        var key = arguments + " ." + extension;
        lock (Cache)
        {
            if (Cache.TryGetValue(key, out var cached))
            {
                return cached;
            }
        }

        var dir = Directory.CreateTempSubdirectory("lp-test-media-");
        try
        {
            var output = Path.Combine(dir.FullName, "file." + extension);
            var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in ("-hide_banner -loglevel error " + arguments).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                info.ArgumentList.Add(arg);
            }

            info.ArgumentList.Add(output);
            using var process = Process.Start(info)!;
            var errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"ffmpeg could not make a .{extension} file: {errors}");
            }

            var bytes = File.ReadAllBytes(output);
            lock (Cache)
            {
                Cache[key] = bytes;
            }

            return bytes;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
