using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using SkiaSharp;

namespace MlNetTransfer.Tests.Support;

/// <summary>
/// The kinds of file a user's photo folder holds besides ordinary photos, made by the tests: odd encodings, odd
/// sizes, misnamed and broken files. PNGs are written by hand (so bit depth, palette and header are exactly what
/// the test asks for); three that no .NET encoder here writes are embedded: a 16×16 CMYK JPEG and a 2-frame
/// animated GIF, made with ImageMagick 6.9 ("convert -size 16x16 xc:red -colorspace CMYK cmyk.jpg",
/// "convert -delay 10 -size 16x16 xc:red xc:blue -loop 0 anim.gif"), and a 16×12 progressive JPEG of a generated
/// gradient (libjpeg-turbo 2.1.5's "cjpeg -progressive -quality 75") and a 40×30 baseline JPEG with one scan per
/// component ("cjpeg -scans" with the scans "0;", "1;", "2;").
/// </summary>
public static class OddImages
{
    private const string CmykJpegBase64 = "/9j/7gAOQWRvYmUAZAAAAAAC/9sAQwADAgIDAgIDAwMDBAMDBAUIBQUEBAUKBwcGCAwKDAwLCgsLDQ4SEA0OEQ4LCxAWEBETFBUVFQwPFxgWFBgSFBUU/9sAQwEDBAQFBAUJBQUJFA0LDRQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU/8AAFAgAEAAQBAERAAIRAQMRAQQRAP/EABYAAQEBAAAAAAAAAAAAAAAAAAAICf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/xAAWAQEBAQAAAAAAAAAAAAAAAAAABwn/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADgQBAAIRAxEEAAA/AKIXNlU1TAAAAf/Z";
    private const string AnimatedGifBase64 = "R0lGODlhEAAQAPAAAP8AAAAAACH5BAAKAAAAIf8LTkVUU0NBUEUyLjADAQAAACwAAAAAEAAQAAACDoSPqcvtD6OctNqLsz4FACH5BAAKAAAALAAAAAAQABAAgAAA/wAAAAIOhI+py+0Po5y02ouzPgUAOw==";

    private const string ProgressiveJpegBase64 = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wgARCAAMABADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAABQb/xAAVAQEBAAAAAAAAAAAAAAAAAAACBf/aAAwDAQACEAMQAAABnE1lpx//xAAXEAADAQAAAAAAAAAAAAAAAAAAAgME/9oACAEBAAEFAkzCZSaKTmp//8QAFhEBAQEAAAAAAAAAAAAAAAAABAAC/9oACAEDAQE/AQu1f//EABcRAQADAAAAAAAAAAAAAAAAAAEAAgP/2gAIAQIBAT8BNG8//8QAFhAAAwAAAAAAAAAAAAAAAAAAABAx/9oACAEBAAY/AiP/xAAXEAADAQAAAAAAAAAAAAAAAAAAEFFh/9oACAEBAAE/IclIiA//2gAMAwEAAgADAAAAEFP/xAAWEQADAAAAAAAAAAAAAAAAAAAAARH/2gAIAQMBAT8QRh//xAAVEQEBAAAAAAAAAAAAAAAAAAAAMf/aAAgBAgEBPxC4/8QAFxAAAwEAAAAAAAAAAAAAAAAAABEhwf/aAAgBAQABPxB6yOWCYyH/2Q==";

    private const string ScanPerComponentJpegBase64 = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wAARCAAeACgDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/APF4LDOOK0oNNzj5a0YNKzj5a0oNHzj5a0ItHVQCwCj1PFYdtYZxxWzbabnHy1orapCQuzc/oO1WobOaTHO0ei8Vei0uOPG/Az2rGs9PzjitgWhhjXavztwOOnvVq00sYyRgDvWhFas52xLhfXHJq7Dp8cPBXc/90VjWFmpx0rRjtFkuT6L8orQ+yhpBEDhRjPuavrarHtjThiMlvQVdis0gVMAFm6Z6V//EAB8BAAMBAQEBAQEBAQEAAAAAAAABAgMEBQYHCAkKC//EALURAAIBAgQEAwQHBQQEAAECdwABAgMRBAUhMQYSQVEHYXETIjKBCBRCkaGxwQkjM1LwFWJy0QoWJDThJfEXGBkaJicoKSo1Njc4OTpDREVGR0hJSlNUVVZXWFlaY2RlZmdoaWpzdHV2d3h5eoKDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uLj5OXm5+jp6vLz9PX29/j5+v/aAAgBAhEAPwB4Sl9YOmrDB0peza5pdl09Xt+bOaXsU7ShCL7OSv8AocOFxcqODTh8UnZPt3f3fiYzxKpRcIXjGOja3b7LsvP9N+CWLVJ8nNyeSin97a1fof/aAAgBAxEAPwDHC5hbqfTYPMJPW59LRx75dz8BwuMvLU+pweNbs2fS0cY3E//Z";

    public static byte[] CmykJpeg() => Convert.FromBase64String(CmykJpegBase64);
    public static byte[] ProgressiveJpeg() => Convert.FromBase64String(ProgressiveJpegBase64);
    public static byte[] ScanPerComponentJpeg() => Convert.FromBase64String(ScanPerComponentJpegBase64);
    public static byte[] AnimatedGif() => Convert.FromBase64String(AnimatedGifBase64);

    /// <summary>A JPEG drawn by Skia: a diagonal gradient, so orientation matters to the features.</summary>
    public static byte[] Jpeg(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(255 * x / Math.Max(1, width - 1)), (byte)(255 * y / Math.Max(1, height - 1)), 60));
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    /// <summary>A grayscale JPEG (one component) drawn by Skia, with a pattern that is not smooth.</summary>
    public static byte[] GrayscaleJpeg(int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 7 ^ y * 3), 0, 0));
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 85);
        return data.ToArray();
    }

    /// <summary>The same JPEG with an EXIF APP1 segment saying "rotate 90° clockwise" (orientation 6).</summary>
    public static byte[] ExifRotatedJpeg(int width, int height)
    {
        var jpeg = Jpeg(width, height);
        var tiff = new byte[26];
        "II*\0"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 8);    // first IFD
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(8), 1);    // one entry
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(10), 0x0112); // Orientation
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(12), 3);   // SHORT
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(14), 1);   // count
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(18), 6);   // rotate 90 CW
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(22), 0);   // no next IFD
        var app1 = new List<byte> { 0xFF, 0xE1 };
        int length = 2 + 6 + tiff.Length;
        app1.Add((byte)(length >> 8));
        app1.Add((byte)length);
        app1.AddRange("Exif\0\0"u8.ToArray());
        app1.AddRange(tiff);
        return [.. jpeg[..2], .. app1, .. jpeg[2..]]; // right after SOI
    }

    /// <summary>A grayscale PNG (colour type 0), 8 bits.</summary>
    public static byte[] GrayscalePng(int size) =>
        Png(size, size, bitDepth: 8, colorType: 0, bytesPerPixel: 1, (x, y, px) => px[0] = (byte)(x * 255 / size));

    /// <summary>An RGB PNG with 16 bits per channel (colour type 2).</summary>
    public static byte[] Png16Bit(int size) =>
        Png(size, size, bitDepth: 16, colorType: 2, bytesPerPixel: 6, (x, y, px) =>
        {
            BinaryPrimitives.WriteUInt16BigEndian(px, (ushort)(x * 65535 / size));
            BinaryPrimitives.WriteUInt16BigEndian(px[2..], (ushort)(y * 65535 / size));
            BinaryPrimitives.WriteUInt16BigEndian(px[4..], 20000);
        });

    /// <summary>A palette PNG (colour type 3) with a transparency chunk.</summary>
    public static byte[] PalettePngWithAlpha(int size)
    {
        byte[] palette = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0];
        byte[] alpha = [255, 128, 0, 200];
        return Png(size, size, bitDepth: 8, colorType: 3, bytesPerPixel: 1, (x, y, px) => px[0] = (byte)((x / 4 + y / 4) % 4),
            extraChunks: [("PLTE", palette), ("tRNS", alpha)]);
    }

    /// <summary>A valid PNG header that claims <paramref name="width"/>×<paramref name="height"/> pixels, with one tiny data chunk.</summary>
    public static byte[] PngHeaderClaiming(int width, int height)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(ms, "IHDR", Ihdr(width, height, 8, 2));
        WriteChunk(ms, "IDAT", Deflate(new byte[16]));
        WriteChunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static byte[] Png(int width, int height, int bitDepth, int colorType, int bytesPerPixel, Action<int, int, Span<byte>> pixel,
        (string Type, byte[] Data)[]? extraChunks = null)
    {
        var raw = new byte[height * (1 + width * bytesPerPixel)];
        for (int y = 0; y < height; y++)
        {
            int row = y * (1 + width * bytesPerPixel); // filter byte 0 (none)
            for (int x = 0; x < width; x++)
                pixel(x, y, raw.AsSpan(row + 1 + x * bytesPerPixel, bytesPerPixel));
        }
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(ms, "IHDR", Ihdr(width, height, bitDepth, colorType));
        foreach (var (type, data) in extraChunks ?? []) WriteChunk(ms, type, data);
        WriteChunk(ms, "IDAT", Deflate(raw));
        WriteChunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static byte[] Ihdr(int width, int height, int bitDepth, int colorType)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colorType;
        return ihdr;
    }

    private static byte[] Deflate(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Fastest, leaveOpen: true)) z.Write(data);
        return ms.ToArray();
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        s.Write(length);
        var typeAndData = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typeAndData);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(typeAndData));
        s.Write(crc);
    }
}
