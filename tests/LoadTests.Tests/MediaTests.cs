using System.Buffers.Binary;
using System.IO.Compression;
using LivepeerAspire.LoadTests.Media;
using LivepeerAspire.Protocol.Media;

namespace LivepeerAspire.LoadTests.Tests;

public sealed class MediaTests
{
    [Fact]
    public void Png_has_a_readable_header_valid_crcs_and_the_pixels_it_claims()
    {
        var png = PngWriter.Gradient(7, 5, 3);

        ImageHeader.TryRead(png, out var header).ShouldBeTrue();
        header.ShouldBe(new ImageHeader(ImageFormat.Png, 7, 5));
        png[^12..].ShouldBe(new byte[] { 0, 0, 0, 0, (byte)'I', (byte)'E', (byte)'N', (byte)'D', 0xAE, 0x42, 0x60, 0x82 }); // IEND's well-known CRC

        // IDAT starts after signature (8) + IHDR chunk (25).
        var idatLength = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(33));
        System.Text.Encoding.ASCII.GetString(png, 37, 4).ShouldBe("IDAT");
        using var z = new ZLibStream(new MemoryStream(png, 41, idatLength), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        raw.Length.ShouldBe(5 * (1 + (3 * 7)));
        var bytes = raw.ToArray();
        bytes[0].ShouldBe((byte)0);           // filter None
        bytes[1 + (3 * 6)].ShouldBe((byte)255); // last pixel of row 0: red = 255
    }

    [Fact]
    public void Wav_header_describes_16_bit_mono_pcm_of_the_asked_length()
    {
        var wav = WavWriter.Tone(1.5, 16000);

        System.Text.Encoding.ASCII.GetString(wav, 0, 4).ShouldBe("RIFF");
        System.Text.Encoding.ASCII.GetString(wav, 8, 4).ShouldBe("WAVE");
        BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(22)).ShouldBe((short)1);
        BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(24)).ShouldBe(16000);
        BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(40)).ShouldBe(48000);
        wav.Length.ShouldBe(44 + 48000);
        BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(4)).ShouldBe(wav.Length - 8);
    }
}
