using System.Diagnostics;
using MlNetTransfer.Cli;
using MlNetTransfer.Model;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Robustness;

public class InterruptionTests
{
    // Ctrl-C while features are being extracted: the run stops, says so, exits 130, writes no model, and keeps every
    // feature finished before the signal; the next run picks up from there.
    [Fact]
    public async Task CtrlCStopsCleanlyAndKeepsTheCache()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 70, size: 96);
        string cache = dir.Combine("cache");
        using var process = Process.Start(CliProcess.StartInfo("train", "--data", dir.Combine("data"), "--output", dir.Combine("run"), "--cache", cache))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (CountFeatures(cache) == 0 && !process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
            Thread.Sleep(50);
        Assert.False(process.HasExited, "the run ended before it could be interrupted");
        Process.Start("kill", ["-INT", process.Id.ToString()])!.WaitForExit();
        Assert.True(process.WaitForExit(30_000));

        Assert.Equal(ExitCodes.Cancelled, process.ExitCode);
        Assert.Contains("cancelled", await stderr);
        Assert.False(File.Exists(dir.Combine("run", "model.zip")));
        int kept = CountFeatures(cache);
        Assert.InRange(kept, 1, 209);

        var resumed = ImageClassifier.Train(new TrainSettings { DataFolder = dir.Combine("data"), OutputFolder = dir.Combine("run"), CacheFolder = cache, Training = { Epochs = 2 } });
        Assert.True(resumed.FeatureExtraction.FromCache >= kept, $"{resumed.FeatureExtraction.FromCache} from cache, {kept} kept");
        Assert.Equal(210, resumed.FeatureExtraction.Images);
    }

    // A save that fails part-way (here: the writer throws, as on a full disk) leaves the previous model untouched
    // and no temporary file behind.
    [Fact]
    public void AFailedWriteLeavesThePreviousFileIntactAndNoTemporaryFile()
    {
        using var dir = new TempDir();
        string path = dir.Combine("model.zip");
        File.WriteAllText(path, "previous model");

        var e = Assert.Throws<IOException>(() => MlNetTransfer.IO.AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[1 << 20]);
            throw new IOException("No space left on device");
        }));

        Assert.Contains("No space left", e.Message);
        Assert.Equal("previous model", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    // The real thing where the machine allows it: a 10 MB tmpfs cannot hold a 60 MB model.
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")] // mount, umount and Unix file modes
    public void ADiskFullDuringTheModelSaveIsAClearErrorAndLeavesNothingHalfWritten()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 3);
        string small = dir.Combine("small-disk");
        Directory.CreateDirectory(small);
        bool mounted = Mount(small, "10m");
        try
        {
            string output = mounted ? small : dir.Combine("read-only");
            if (!mounted)
            {
                // Without mount rights, a folder that cannot be written stands in for a full disk.
                Directory.CreateDirectory(output);
                File.SetUnixFileMode(output, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            }
            var result = CliProcess.Run("train", "--data", dir.Combine("data"), "--output", output, "--cache", dir.Combine("cache"), "--epochs", "2");

            Assert.Equal(ExitCodes.Failed, result.ExitCode);
            Assert.StartsWith("error:", result.Error.Trim());
            Assert.Single(result.Error.Trim().Split('\n'));
            Assert.Empty(Directory.GetFiles(output, "*", SearchOption.AllDirectories));
        }
        finally
        {
            if (mounted) Process.Start("umount", [small])!.WaitForExit();
        }
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")] // mount, umount and Unix file modes
    public void ADiskFullWhileWritingTheCacheIsAClearErrorAndLeavesNoPartialEntry()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 20);
        string cache = dir.Combine("small-cache");
        Directory.CreateDirectory(cache);
        bool mounted = Mount(cache, "64k");
        if (!mounted) // without mount rights, a folder that cannot be written stands in for a full disk
            File.SetUnixFileMode(cache, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            var result = CliProcess.Run("train", "--data", dir.Combine("data"), "--output", dir.Combine("run"), "--cache", cache, "--epochs", "2");

            Assert.Equal(ExitCodes.Failed, result.ExitCode);
            Assert.StartsWith("error:", result.Error.Trim());
            if (mounted) Assert.Contains("No space left on device", result.Error);
            Assert.Empty(Directory.GetFiles(cache, "*.tmp", SearchOption.AllDirectories));
            foreach (var entry in Directory.GetFiles(cache, "*.feat", SearchOption.AllDirectories))
                Assert.NotNull(MlNetTransfer.Features.FeatureCache.Decode(File.ReadAllBytes(entry), 512));
        }
        finally
        {
            if (mounted) Process.Start("umount", [cache])!.WaitForExit();
        }
    }

    private static bool Mount(string folder, string size)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("mount", ["-t", "tmpfs", "-o", $"size={size}", "tmpfs", folder]) { RedirectStandardError = true })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static int CountFeatures(string cache) =>
        Directory.Exists(cache) ? Directory.GetFiles(cache, "*.feat", SearchOption.AllDirectories).Length : 0;
}
