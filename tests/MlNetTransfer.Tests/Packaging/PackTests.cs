using System.IO.Compression;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Packaging;

public class PackTests
{
    // `dotnet pack` gives a small package: the library with its XML docs and the README; the 60 MB backbone reaches
    // users through the ResNet18 package it depends on (with its build assets, which copy the files).
    [Fact]
    public void PackProducesTheLibraryWithXmlDocsAndWithoutTheBackboneFiles()
    {
        using var dir = new TempDir();
        var result = ProcessRunner.Run("dotnet", ["pack", Path.Combine(RepoPaths.Root, "src", "MlNetTransfer"), "-c", "Release", "-o", dir.Path, "--nologo"]);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        var package = Directory.GetFiles(dir.Path, "MlNetTransfer.*.nupkg").Single();
        using var zip = ZipFile.OpenRead(package);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("lib/net10.0/MlNetTransfer.dll", names);
        Assert.Contains("lib/net10.0/MlNetTransfer.xml", names);
        Assert.Contains("README.md", names);
        Assert.DoesNotContain(names, n => n.EndsWith(".onnx"));
        using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open());
        var text = nuspec.ReadToEnd();
        Assert.Contains("<dependency id=\"Microsoft.ML.DnnImageFeaturizer.ResNet18\" version=\"0.23.1\" include=\"All\" />", text);
        using var docs = new StreamReader(zip.GetEntry("lib/net10.0/MlNetTransfer.xml")!.Open());
        Assert.Contains("M:MlNetTransfer.ImageClassifier.Train", docs.ReadToEnd());
    }
}
