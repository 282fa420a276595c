using System.Diagnostics;
using MlNetTransfer.Cli;
using MlNetTransfer.Model;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Robustness;

public class InterruptionTests
{
    // Ctrl-C (SIGINT) or SIGTERM (systemd, Kubernetes, docker stop) while features are being extracted: the run stops,
    // says so, exits 130, writes no model, and keeps every feature finished before the signal; the next run picks up from there.
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("-INT")]
    [InlineData("-TERM")]
    public async Task ASignalStopsCleanlyAndKeepsTheCache(string signal)
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 70, size: 96);
        string cache = dir.Combine("cache");
        using var process = Process.Start(CliProcess.StartInfo("train", "--data", dir.Combine("data"), "--output", dir.Combine("run"), "--cache", cache, "--resize", "crop"))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (CountFeatures(cache) == 0 && !process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
            Thread.Sleep(50);
        Assert.False(process.HasExited, "the run ended before it could be interrupted");
        Process.Start("kill", [signal, process.Id.ToString()])!.WaitForExit();
        Assert.True(process.WaitForExit(30_000));

        Assert.Equal(ExitCodes.Cancelled, process.ExitCode);
        Assert.Contains("cancelled", await stderr);
        Assert.False(File.Exists(dir.Combine("run", "model.zip")));
        int kept = CountFeatures(cache);
        Assert.InRange(kept, 1, 209);

        var resumed = ImageClassifier.Train(new TrainSettings { DataFolder = dir.Combine("data"), OutputFolder = dir.Combine("run"), CacheFolder = cache, Training = { Epochs = 2 }, View = MlNetTransfer.Backbones.ImageView.Crop });
        Assert.True(resumed.FeatureExtraction.FromCache >= kept, $"{resumed.FeatureExtraction.FromCache} from cache, {kept} kept");
        Assert.Equal(210, resumed.FeatureExtraction.Images);
    }

    // serve stops on SIGTERM and SIGINT: it stops taking connections, finishes what it has, says so and exits 0. Also
    // as a script's background job (`serve &` in `bash -c`), which the shell starts with SIGINT ignored.
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("-TERM", false)]
    [InlineData("-INT", false)]
    [InlineData("-TERM", true)]
    [InlineData("-INT", true)]
    public async Task ServeStopsGracefullyOnASignal(string signal, bool backgroundJob)
    {
        string model = Path.Combine(RepoPaths.Root, "tests", "MlNetTransfer.Tests", "Fixtures", "models-0.2.0", "path-crop-custom.zip");
        var info = CliProcess.StartInfo("serve", "--model", model, "--urls", "http://127.0.0.1:0");
        if (backgroundJob)
        {
            // bash prints the job's process id, then waits for it and exits with its exit code.
            info.ArgumentList.Insert(0, "-c");
            info.ArgumentList.Insert(1, "\"$@\" & echo $!; wait $!");
            info.ArgumentList.Insert(2, "bash");
            info.ArgumentList.Insert(3, info.FileName);
            info.FileName = "bash";
        }
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        int server = backgroundJob ? int.Parse((await process.StandardOutput.ReadLineAsync())!) : process.Id;
        try
        {
            string? first = await process.StandardOutput.ReadLineAsync(); // "Serving ... at ...", once it listens
            Assert.True(first?.StartsWith("Serving", StringComparison.Ordinal) == true, $"{first} {(process.HasExited ? await stderr : "")}");
            Process.Start("kill", [signal, server.ToString()])!.WaitForExit();
            Assert.True(process.WaitForExit(20_000), "serve did not stop");
            Assert.Equal(ExitCodes.Ok, process.ExitCode);
            Assert.Equal("Stopped.", (await process.StandardOutput.ReadToEndAsync()).Trim());
        }
        finally
        {
            if (Directory.Exists($"/proc/{server}")) // left running: the test failed
                Process.Start("kill", ["-KILL", server.ToString()])!.WaitForExit();
        }
    }

    // A command with nothing to keep (here bench-head) does not take the signal for a cancellation it would never look
    // at: Ctrl-C ends it at once, as it ends any process (before, it did nothing until the command finished).
    [Fact]
    [Trait("Category", "Slow")]
    public async Task ACommandThatCannotStopPartWayEndsOnSigint()
    {
        using var process = Process.Start(CliProcess.StartInfo("bench-head", "--repeats", "50"))!;
        _ = process.StandardError.ReadToEndAsync();
        string? first = await process.StandardOutput.ReadLineAsync(); // "round 1, ...": it is under way
        Assert.StartsWith("round 1", first);
        Process.Start("kill", ["-INT", process.Id.ToString()])!.WaitForExit();
        bool ended = process.WaitForExit(10_000);
        if (!ended) process.Kill();
        Assert.True(ended, "bench-head went on after SIGINT");
        Assert.Equal(128 + 2, process.ExitCode); // ended by SIGINT
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

    // A real full disk: a 10 MB tmpfs where this machine lets the test mount one (root; CI runs as root), else a
    // file-size limit (ulimit -f, with SIGXFSZ ignored so that writes fail with "File too large" as on a full disk).
    [Fact]
    [Trait("Category", "Slow")]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")] // mount, umount, ulimit
    public void ADiskFullDuringTheModelSaveIsAClearErrorAndLeavesNothingHalfWritten()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 3);
        string output = dir.Combine("small-disk");
        Directory.CreateDirectory(output);
        bool mounted = Mount(output, "10m");
        try
        {
            string[] train = ["train", "--data", dir.Combine("data"), "--output", output, "--cache", dir.Combine("cache"), "--epochs", "2"];
            var result = mounted
                ? CliProcess.Run(train)
                // W^X off: the runtime's double-mapped code memory is a file the size limit would also refuse.
                : ProcessRunner.Run("bash", ["-c", "ulimit -f 10240; trap '' XFSZ; export DOTNET_EnableWriteXorExecute=0; exec dotnet \"$@\"", "bash", CliProcess.Dll, .. train]);

            Assert.Equal(ExitCodes.Failed, result.ExitCode);
            Assert.StartsWith("error:", result.Error.Trim());
            Assert.Single(result.Error.Trim().Split('\n'));
            Assert.Contains(mounted ? "No space left on device" : "too large for the file system", result.Error);
            Assert.Empty(Directory.GetFiles(output, "*", SearchOption.AllDirectories));
        }
        finally
        {
            if (mounted) Process.Start("umount", [output])!.WaitForExit();
        }
    }

    // Cache entries are a few kilobytes, below any file-size limit: only a really full file system tests this, so
    // without mount rights the test reports itself as not run.
    [SkippableFact]
    [Trait("Category", "Slow")]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")] // mount, umount
    public void ADiskFullWhileWritingTheCacheIsAClearErrorAndLeavesNoPartialEntry()
    {
        using var dir = new TempDir();
        TestImages.ShapeDataset(dir.Combine("data"), perClass: 20);
        string cache = dir.Combine("small-cache");
        Directory.CreateDirectory(cache);
        Skip.IfNot(Mount(cache, "64k"), "this machine does not let the test mount a small tmpfs (it needs root), so a full cache disk was not tested");
        try
        {
            var result = CliProcess.Run("train", "--data", dir.Combine("data"), "--output", dir.Combine("run"), "--cache", cache, "--epochs", "2");

            Assert.Equal(ExitCodes.Failed, result.ExitCode);
            Assert.StartsWith("error:", result.Error.Trim());
            Assert.Contains("No space left on device", result.Error);
            Assert.Empty(Directory.GetFiles(cache, "*.tmp", SearchOption.AllDirectories));
            foreach (var entry in Directory.GetFiles(cache, "*.feat", SearchOption.AllDirectories))
                Assert.NotNull(MlNetTransfer.Features.FeatureCache.Decode(File.ReadAllBytes(entry), 512));
        }
        finally
        {
            Process.Start("umount", [cache])!.WaitForExit();
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
