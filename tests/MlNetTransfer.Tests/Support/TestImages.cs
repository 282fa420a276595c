using MlNetTransfer.Data;

namespace MlNetTransfer.Tests.Support;

/// <summary>Images the tests make themselves: the sample generator's shapes, and broken files of known kinds.</summary>
public static class TestImages
{
    /// <summary>Writes a 3-class shape data set (circle, square, triangle).</summary>
    public static void ShapeDataset(string folder, int perClass, int seed = 7, int size = 64) =>
        SampleImages.Generate(folder, perClass, size, seed);

    public static string ZeroByte(string folder, string name = "empty.jpg")
    {
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, []);
        return path;
    }

    public static string TextNamedJpeg(string folder, string name = "notes.jpg")
    {
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, "This is not an image, just text with a .jpg name.\n");
        return path;
    }

    /// <summary>A real JPEG cut to 40% of its length.</summary>
    public static string TruncatedJpeg(string folder, string validJpeg, string name = "truncated.jpg")
    {
        var bytes = File.ReadAllBytes(validJpeg);
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 5)]);
        return path;
    }
}
