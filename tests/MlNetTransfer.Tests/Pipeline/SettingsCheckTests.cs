using MlNetTransfer.Backbones;
using MlNetTransfer.Model;
using MlNetTransfer.Training;

namespace MlNetTransfer.Tests.Pipeline;

/// <summary>
/// A setting out of range, NaN, or a number cast to an enum is refused before anything is scanned or extracted,
/// naming the setting: none trains a model silently (a NaN momentum trained one worse than chance).
/// </summary>
public class SettingsCheckTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "momentum NaN", "Training.Momentum" },
        { "dropout NaN", "Training.Dropout" },
        { "min-delta NaN", "Training.MinDelta" },
        { "plateau patience -5", "Training.PlateauPatience" },
        { "monitor 7", "Training.Monitor" },
        { "optimizer 7", "Training.Optimizer" },
        { "schedule 9", "Training.Schedule" },
        { "scaling 9", "Training.Scaling" },
        { "view 9", "View" },
        { "precision 9", "Precision" },
        { "input 9", "Input" },
        { "device 9", "Extraction.Device" },
        { "augment -3", "Augment" },
        { "validation fraction NaN", "ValidationFraction" },
        { "augmentation scale NaN", "Augmentation.MinScale" },
        { "augmentation rotation 400", "Augmentation.MaxRotation" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ABadSettingIsRefusedByName(string change, string setting)
    {
        var settings = new TrainSettings { DataFolder = "/no/such/folder" }; // the settings are checked before the folder
        switch (change)
        {
            case "momentum NaN": settings.Training.Momentum = float.NaN; break;
            case "dropout NaN": settings.Training.Dropout = float.NaN; break;
            case "min-delta NaN": settings.Training.MinDelta = float.NaN; break;
            case "plateau patience -5": settings.Training.PlateauPatience = -5; break;
            case "monitor 7": settings.Training.Monitor = (MonitorMetric)7; break;
            case "optimizer 7": settings.Training.Optimizer = (OptimizerKind)7; break;
            case "schedule 9": settings.Training.Schedule = (LearningRateSchedule)9; break;
            case "scaling 9": settings.Training.Scaling = (FeatureScaling)9; break;
            case "view 9": settings.View = (ImageView)9; break;
            case "precision 9": settings.Precision = (Precision)9; break;
            case "input 9": settings.Input = (ImageInputKind)9; break;
            case "device 9": settings.Extraction.Device = (MlNetTransfer.Features.ComputeDevice)9; break;
            case "augment -3": settings.Augment = -3; break;
            case "validation fraction NaN": settings.ValidationFraction = double.NaN; break;
            case "augmentation scale NaN": settings.Augmentation = new() { MinScale = float.NaN }; break;
            case "augmentation rotation 400": settings.Augmentation = new() { MaxRotation = 400 }; break;
        }

        var e = Assert.Throws<MlNetTransferException>(() => ImageClassifier.Train(settings));

        Assert.Equal(setting, e.Setting);
        Assert.Contains(setting.Split('.')[^1], e.Message);
        Assert.Contains("must be", e.Message);
    }

    [Fact]
    public void AnEmptyDataFolderSettingIsSaidAsSuch()
    {
        using var dir = new MlNetTransfer.Tests.Support.TempDir();
        var e = Assert.Throws<MlNetTransfer.Data.DatasetException>(() => ImageClassifier.Train(new TrainSettings { DataFolder = "", OutputFolder = dir.Combine("run") }));
        Assert.Equal("No data folder given (DataFolder is empty).", e.Message);
    }

    // Found at the end, an output folder that cannot be written cost the whole run; it is refused first, naming it.
    [Fact]
    public void AnOutputFolderThatCannotBeMadeIsRefusedFirst()
    {
        using var dir = new MlNetTransfer.Tests.Support.TempDir();
        File.WriteAllText(dir.Combine("notes.txt"), "a file, not a folder");
        var settings = new TrainSettings { DataFolder = "/no/such/folder", OutputFolder = dir.Combine("notes.txt", "run") };

        var e = Assert.Throws<MlNetTransferException>(() => ImageClassifier.Train(settings));

        Assert.Equal(nameof(TrainSettings.OutputFolder), e.Setting);
        Assert.Contains("notes.txt is a file", e.Message);

        // A folder that can be written passes, and its check leaves nothing there (the run then stops at the data).
        Assert.Throws<MlNetTransfer.Data.DatasetException>(() => ImageClassifier.Train(new TrainSettings { DataFolder = "/no/such/folder", OutputFolder = dir.Combine("run") }));
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
        Assert.Equal("OutputFolder", Assert.Throws<MlNetTransferException>(() => ImageClassifier.Train(new TrainSettings { DataFolder = "x", OutputFolder = "" })).Setting);
    }
}
