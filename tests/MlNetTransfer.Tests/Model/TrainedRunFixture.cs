using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Model;

/// <summary>
/// One real training run (real ResNet18, real image files, real model.zip) on the repository's sample data set
/// (data/sample, read in place), shared by the tests that read its outputs.
/// </summary>
public sealed class TrainedRunFixture : IDisposable
{
    private readonly TempDir _dir = new();

    public TrainedRunFixture()
    {
        DataFolder = Path.Combine(RepoPaths.Root, "data", "sample");
        Settings = new TrainSettings
        {
            DataFolder = DataFolder,
            OutputFolder = _dir.Combine("run"),
            CacheFolder = _dir.Combine("cache"),
            ValidationFraction = 0.25,
            Training = { Epochs = 15 },
        };
        Report = ImageClassifier.Train(Settings);
    }

    public string DataFolder { get; }
    public TrainSettings Settings { get; }
    public TrainReport Report { get; }
    public string Root => _dir.Path;

    public void Dispose() => _dir.Dispose();
}

/// <summary>The test classes that read the one training run share it (one run for all of them, not one per class).</summary>
[CollectionDefinition(Name)]
public sealed class TrainedRunCollection : ICollectionFixture<TrainedRunFixture>
{
    public const string Name = "trained run on data/sample";
}
