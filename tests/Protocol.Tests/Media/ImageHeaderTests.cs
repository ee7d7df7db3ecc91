using LivepeerAspire.Protocol.Media;

namespace LivepeerAspire.Protocol.Tests.Media;

public sealed class ImageHeaderTests
{
    [Fact]
    public void Reads_png_size_from_ihdr()
    {
        byte[] png =
        [
            0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R',
            0, 0, 0x04, 0x00, 0, 0, 0x02, 0x40, 8, 2, 0, 0, 0,
        ];
        ImageHeader.TryRead(png, out var header).ShouldBeTrue();
        header.ShouldBe(new ImageHeader(ImageFormat.Png, 1024, 576));
        header.Pixels.ShouldBe(1024L * 576);
    }

    [Fact]
    public void Reads_jpeg_size_from_the_first_frame_header_after_other_segments()
    {
        byte[] jpeg =
        [
            0xFF, 0xD8,
            0xFF, 0xE0, 0x00, 0x04, 0x4A, 0x46,                   // APP0, 2 bytes of payload
            0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0x20, 0x02, 0x80, // SOF0: 8-bit, height 288, width 640
            0x03, 0x01, 0x22, 0x00,
        ];
        ImageHeader.TryRead(jpeg, out var header).ShouldBeTrue();
        header.ShouldBe(new ImageHeader(ImageFormat.Jpeg, 640, 288));
    }

    [Fact]
    public void Reads_gif_size()
    {
        byte[] gif = [(byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'9', (byte)'a', 0x40, 0x01, 0xF0, 0x00];
        ImageHeader.TryRead(gif, out var header).ShouldBeTrue();
        header.ShouldBe(new ImageHeader(ImageFormat.Gif, 320, 240));
    }

    [Theory]
    [InlineData("not an image at all, just some text")]
    [InlineData("")]
    public void Rejects_what_is_not_an_image(string text)
    {
        ImageHeader.TryRead(System.Text.Encoding.UTF8.GetBytes(text), out _).ShouldBeFalse();
    }

    [Fact]
    public void Rejects_a_truncated_png()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
        ImageHeader.TryRead(png, out _).ShouldBeFalse();
    }

    [Fact]
    public void Rejects_a_zero_sized_png()
    {
        byte[] png =
        [
            0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R',
            0, 0, 0, 0, 0, 0, 0x02, 0x40,
        ];
        ImageHeader.TryRead(png, out _).ShouldBeFalse();
    }
}
