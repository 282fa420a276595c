using System.IO.Compression;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Packaging;

[Trait("Category", "Slow")]
public class PackTests
{
    // `dotnet pack` of the library and of the command line: the library package has its XML docs and README and no
    // command-line or console dependency (the 60 MB backbone reaches users through the ResNet18 package it depends
    // on); the tool package installs with `dotnet tool install` and trains on the sample set.
    [Fact]
    public void TheLibraryPackageHasNoCommandLineDependencyAndTheToolInstallsAndTrains()
    {
        using var dir = new TempDir();
        using (var zip = ZipFile.OpenRead(LocalFeed.Library))
        {
            var names = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("lib/net10.0/MlNetTransfer.dll", names);
            Assert.Contains("lib/net10.0/MlNetTransfer.xml", names);
            Assert.Contains("README.md", names);
            Assert.DoesNotContain(names, n => n.EndsWith(".onnx"));
            using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open());
            var text = nuspec.ReadToEnd();
            Assert.Contains("<dependency id=\"Microsoft.ML.DnnImageFeaturizer.ResNet18\" version=\"0.23.1\" include=\"All\" />", text);
            Assert.DoesNotContain("System.CommandLine", text);
            Assert.DoesNotContain("Spectre.Console", text);
            using var docs = new StreamReader(zip.GetEntry("lib/net10.0/MlNetTransfer.xml")!.Open());
            Assert.Contains("M:MlNetTransfer.ImageClassifier.Train", docs.ReadToEnd());
        }

        var install = ProcessRunner.Run("dotnet", ["tool", "install", "--tool-path", dir.Combine("tools"), "--add-source", Path.GetDirectoryName(LocalFeed.Tool)!,
            "MlNetTransfer.Tool", "--version", LocalFeed.Version]);
        Assert.True(install.ExitCode == 0, install.Output + install.Error);
        var train = ProcessRunner.Run(dir.Combine("tools", "mlnet-transfer"), ["train", "--data", Path.Combine(RepoPaths.Root, "data", "sample"),
            "--output", dir.Combine("run"), "--cache", dir.Combine("cache"), "--epochs", "2", "--quiet"], workingDirectory: dir.Path);
        Assert.True(train.ExitCode == 0, train.Output + train.Error);
        Assert.True(File.Exists(dir.Combine("run", "model.zip")));
        Assert.Contains("Best epoch", train.Output);
    }
}
