using MlNetTransfer.Cli;

namespace MlNetTransfer.Tests.Support;

/// <summary>Runs the CLI in this process and returns its exit code and what it wrote.</summary>
public static class InProcessCli
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
