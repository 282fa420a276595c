using System.Text.Json;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Features;

/// <summary>
/// extract and train make one run plan from the same flags: for every flag that changes features (the view, augmented
/// views and the split they are drawn from, the backbone and its preprocessing; int8 in ShardTests), an extract with
/// it leaves train with it nothing to extract.
/// </summary>
[Trait("Category", "Slow")]
public class ExtractThenTrainTests
{
    public static TheoryData<string[]> FeatureFlags => new()
    {
        Array.Empty<string>(),
        new[] { "--resize", "crop" },
        new[] { "--resize", "fill" },
        new[] { "--resize", "isocrop" },
        new[] { "--augment", "2" },
        new[] { "--augment", "1", "--validation-fraction", "0.4", "--seed", "5" },
        new[] { "--backbone", "TINY" },
        new[] { "--backbone", "TINY", "--mean", "0.5,0.5,0.5", "--std", "0.25,0.25,0.25", "--pixel-scale", "0-255", "--bgr", "--input-size", "160" },
    };

    [Theory]
    [MemberData(nameof(FeatureFlags))]
    public void ExtractWithAFlagLeavesTrainWithItNothingToExtract(string[] flags)
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 5);
        string tiny = dir.Combine("tiny-resnet.onnx");
        TinyClassifier.Write(tiny);
        flags = flags.Select(f => f == "TINY" ? tiny : f).ToArray();
        string[] common = ["--data", dir.Combine("data"), "--cache", dir.Combine("cache"), "--quiet"];

        var extract = InProcessCli.Run(["extract", .. common, .. flags]);
        Assert.True(extract.Code == 0, extract.Err);
        var train = InProcessCli.Run(["train", .. common, "--output", dir.Combine("run"), "--epochs", "1", .. flags]);
        Assert.True(train.Code == 0, train.Err);

        using var metrics = JsonDocument.Parse(File.ReadAllText(dir.Combine("run", "metrics.json")));
        var root = metrics.RootElement;
        Assert.Equal(0, root.GetProperty("featureExtraction").GetProperty("extracted").GetInt32());
        Assert.Equal(15, root.GetProperty("featureExtraction").GetProperty("fromCache").GetInt32());
        if (flags.Contains("--augment"))
        {
            var views = root.GetProperty("augmentedViews");
            Assert.Equal(0, views.GetProperty("extracted").GetInt32());
            Assert.True(views.GetProperty("fromCache").GetInt32() > 0);
        }
    }
}
