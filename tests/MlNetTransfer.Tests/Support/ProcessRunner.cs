using System.Diagnostics;

namespace MlNetTransfer.Tests.Support;

public static class ProcessRunner
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, int timeoutSeconds = 300)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish in {timeoutSeconds} s.");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
