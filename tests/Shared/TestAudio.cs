using System.Globalization;

namespace LivepeerAspire.Tests.Shared;

/// <summary>Audio files made by a real encoder (Debian's ffmpeg): a 440 Hz tone of a given length, 16 kHz mono.</summary>
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

    /// <summary>A fresh copy, so a test may edit it.</summary>
    public static byte[] Encode(string extension, double seconds) =>
        Ffmpeg.Encode($"-f lavfi -i sine=frequency=440:sample_rate=16000:duration={seconds.ToString(CultureInfo.InvariantCulture)} -ac 1 {Formats[extension]}", extension).ToArray();
}
