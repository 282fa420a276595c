using System.IO.Compression;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Packaging;

[Trait("Category", "Slow")]
public class PackTests
{
    // `dotnet pack` of the library and of the command line: the library package has its XML docs and README and no
    // command-line or console dependency (the 60 MB backbone reaches users through the ResNet18 package it depends
    // on); the tool package installs with `dotnet tool install` and trains on the sample set; the installed tool's
    // codegen writes a project that a plain `dotnet build` builds in a folder with no package source of its own but
    // the one codegen writes (the library package the tool carries).
    [Fact]
    public void TheLibraryPackageHasNoCommandLineDependencyAndTheInstalledToolTrainsAndGeneratesCodeThatBuilds()
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

        var codegen = ProcessRunner.Run(dir.Combine("tools", "mlnet-transfer"), ["codegen", "--model", dir.Combine("run", "model.zip"), "--output", dir.Combine("app")], workingDirectory: dir.Path);
        Assert.True(codegen.ExitCode == 0, codegen.Output + codegen.Error);
        // Earlier tests of this run restored this version into NuGet's package folder, where a restore would find it
        // without any source: the build must get it from the feed codegen wrote.
        ProcessRunner.Result build;
        lock (LocalFeed.RestoreLock)
        {
            ForgetRestoredLibraryPackage();
            build = ProcessRunner.Run("dotnet", ["build", "--nologo", "-v", "q"], workingDirectory: dir.Combine("app"));
        }
        Assert.True(build.ExitCode == 0, build.Output + build.Error);
        Assert.Contains($"\"MlNetTransfer/{LocalFeed.Version}\"", File.ReadAllText(dir.Combine("app", "obj", "project.assets.json")));
    }

    private static void ForgetRestoredLibraryPackage()
    {
        var locals = ProcessRunner.Run("dotnet", ["nuget", "locals", "global-packages", "--list"]);
        Assert.True(locals.ExitCode == 0, locals.Output + locals.Error);
        string packages = locals.Output.Trim()["global-packages:".Length..].Trim();
        string restored = Path.Combine(packages, "mlnettransfer", LocalFeed.Version.ToLowerInvariant());
        if (Directory.Exists(restored)) Directory.Delete(restored, recursive: true);
    }
}
