using System.Diagnostics;

namespace LivepeerAspire.Tests.Shared;

/// <summary>Audio files made by a real encoder (Debian's ffmpeg, which .ci/run installs): a sine tone of a given length.</summary>
internal static class TestAudio
{
    /// <summary>Container extension → ffmpeg codec arguments.</summary>
    public static readonly IReadOnlyDictionary<string, string> Formats = new Dictionary<string, string>
    {
        ["wav"] = "-c:a pcm_s16le",
        ["mp3"] = "-c:a libmp3lame -b:a 64k",
        ["flac"] = "-c:a flac",
        ["ogg"] = "-c:a libopus -b:a 32k",
        ["m4a"] = "-c:a aac -b:a 64k",
    };

    private static readonly Dictionary<(string, double), byte[]> Cache = [];

    public static byte[] Encode(string extension, double seconds)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue((extension, seconds), out var cached))
            {
                return cached;
            }
        }

        var dir = Directory.CreateTempSubdirectory("lp-test-audio-");
        try
        {
            var output = Path.Combine(dir.FullName, "tone." + extension);
            var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in $"-hide_banner -loglevel error -f lavfi -i sine=frequency=440:sample_rate=16000:duration={seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} -ac 1 {Formats[extension]}".Split(' '))
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
                Cache[(extension, seconds)] = bytes;
            }

            return bytes;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
