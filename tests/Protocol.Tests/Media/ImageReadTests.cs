using System.Buffers.Binary;
using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Tests.Shared;

namespace LivepeerAspire.Protocol.Tests.Media;

/// <summary>The one image reader: format and size of files made by a real encoder, and the files it refuses.</summary>
public sealed class ImageReadTests
{
    [Theory]
    [InlineData("png", ImageFormat.Png)]
    [InlineData("jpg", ImageFormat.Jpeg)]
    [InlineData("gif", ImageFormat.Gif)]
    [InlineData("webp", ImageFormat.Webp)]
    public void Reads_format_and_size_of_each_format(string extension, ImageFormat format)
    {
        var header = ImageHeader.Read("image", TestImages.Encode(extension, 320, 200), 4096);

        header.ShouldBe(new ImageHeader(format, 320, 200));
    }

    [Fact]
    public void The_simulators_png_is_complete() =>
        ImageHeader.Read("image", SyntheticPng.Encode(1024, 576, 1), 4096).Pixels.ShouldBe(1024 * 576);

    [Theory]
    [InlineData("png")]
    [InlineData("jpg")]
    [InlineData("gif")]
    [InlineData("webp")]
    public void A_truncated_image_is_refused_naming_the_part(string extension)
    {
        var whole = TestImages.Encode(extension, 320, 200);

        var e = Should.Throw<MediaException>(() => ImageHeader.Read("image", whole[..(whole.Length * 2 / 3)], 4096));

        e.Message.ShouldStartWith("image: truncated");
    }

    [Fact]
    public void An_empty_file_is_refused() =>
        Should.Throw<MediaException>(() => ImageHeader.Read("image", [], 4096)).Message.ShouldBe("image: the file is empty");

    [Fact]
    public void A_1_by_100000_image_is_refused_naming_the_limit()
    {
        var png = SyntheticPng.Encode(1, 8, 1);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 100_000);

        Should.Throw<MediaException>(() => ImageHeader.Read("image", png, 4096)).Message.ShouldBe("image: 1×100000 px is over the limit of 4096 px per side");
    }

    [Fact]
    public void Bytes_that_are_no_image_are_refused() =>
        Should.Throw<MediaException>(() => ImageHeader.Read("image", "GIF? no, plain text"u8, 4096)).Message.ShouldBe("image: not a PNG, JPEG, GIF or WebP image");
}
