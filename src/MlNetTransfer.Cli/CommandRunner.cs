using MlNetTransfer.Data;
using MlNetTransfer.Model;

namespace MlNetTransfer.Cli;

/// <summary>Runs a command body, turning known failures into one-line errors and an exit code (stack traces with --verbose).</summary>
internal static class CommandRunner
{
    public static int Run(TextWriter error, bool verbose, Func<CancellationToken, int> body)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // let the run unwind and keep what it has
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return body(cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            error.WriteLine("cancelled: features extracted so far are kept in the cache; no model was written.");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is DatasetException or ModelLoadException or ArgumentException or IOException
                                      or UnauthorizedAccessException or InvalidDataException or InvalidOperationException)
        {
            error.WriteLine($"error: {e.Message}");
            if (verbose) error.WriteLine(e);
            return ExitCodes.Failed;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
