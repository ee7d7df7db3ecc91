using System.Diagnostics;

namespace LivepeerAspire.Tests.Shared;

/// <summary>Images made by a real encoder (Debian's ffmpeg): a solid picture of a given size in PNG, JPEG, GIF or WebP.</summary>
internal static class TestImages
{
    private static readonly Dictionary<(string, int, int), byte[]> Cache = [];

    public static byte[] Encode(string extension, int width, int height)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue((extension, width, height), out var cached))
            {
                return cached;
            }
        }

        var dir = Directory.CreateTempSubdirectory("lp-test-image-");
        try
        {
            var output = Path.Combine(dir.FullName, "picture." + extension);
            var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in $"-hide_banner -loglevel error -f lavfi -i testsrc=size={width}x{height}:rate=1 -frames:v 1".Split(' '))
            {
                info.ArgumentList.Add(arg);
            }

            info.ArgumentList.Add(output);
            using var process = Process.Start(info)!;
            var errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"ffmpeg could not encode {extension}: {errors}");
            }

            var bytes = File.ReadAllBytes(output);
            lock (Cache)
            {
                Cache[(extension, width, height)] = bytes;
            }

            return bytes;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
