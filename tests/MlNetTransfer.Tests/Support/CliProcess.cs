using System.Diagnostics;

namespace MlNetTransfer.Tests.Support;

/// <summary>Runs the real CLI (the MlNetTransfer.Cli.dll built beside the tests) in its own process.</summary>
public static class CliProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "MlNetTransfer.Cli.dll");

    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        return info;
    }

    public static ProcessRunner.Result Run(params string[] args) => ProcessRunner.Run("dotnet", [Dll, .. args]);
}
