namespace LivepeerAspire.Tests.Shared;

/// <summary>Images made by a real encoder (Debian's ffmpeg): a test pattern of a given size in PNG, JPEG, GIF or WebP.</summary>
internal static class TestImages
{
    /// <summary>A fresh copy, so a test may edit it.</summary>
    public static byte[] Encode(string extension, int width, int height) =>
        Ffmpeg.Encode($"-f lavfi -i testsrc=size={width}x{height}:rate=1 -frames:v 1", extension).ToArray();
}
