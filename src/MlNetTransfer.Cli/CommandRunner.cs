namespace MlNetTransfer.Cli;

/// <summary>
/// Runs a command body. The user's errors, the library's own (<see cref="MlNetTransferException"/>: data set, model
/// file, settings) and unreadable or undecodable files, become one line and <see cref="ExitCodes.Failed"/> (stack traces
/// with --verbose); wrong usage found by a command, one line and <see cref="ExitCodes.Usage"/>; anything else is a bug
/// and is printed as one, with its stack trace, and <see cref="ExitCodes.InternalError"/>.
/// </summary>
internal static class CommandRunner
{
    // The flags of settings that every command with a --device flag has, for library errors that name them.
    private static readonly IReadOnlyDictionary<string, string> CommonFlags = new Dictionary<string, string>
    {
        [Features.ExtractorOptions.DeviceSetting] = "--device",
    };

    /// <summary>Runs a command that stops on a cancellation: SIGINT and SIGTERM cancel <paramref name="body"/>'s token.</summary>
    /// <param name="flags">The command's flag of each setting that a library error may name (<see cref="MlNetTransferException.Setting"/>).</param>
    public static int Run(TextWriter error, bool verbose, Func<CancellationToken, int> body, IReadOnlyDictionary<string, string>? flags = null) =>
        Run(error, verbose, body, flags, takeSignals: true);

    /// <summary>Runs a command that does not look at a cancellation token: SIGINT and SIGTERM end it as they end any process.</summary>
    public static int Run(TextWriter error, bool verbose, Func<int> body, IReadOnlyDictionary<string, string>? flags = null) =>
        Run(error, verbose, _ => body(), flags, takeSignals: false);

    private static int Run(TextWriter error, bool verbose, Func<CancellationToken, int> body, IReadOnlyDictionary<string, string>? flags, bool takeSignals)
    {
        using var cancel = new CancellationTokenSource();
        // SIGINT (Ctrl-C) and SIGTERM (what systemd, Kubernetes and docker stop send) both let the run unwind and keep
        // what it has (a background job's inherited "ignore SIGINT" is undone in Program: InheritedSignals). Taken
        // only for a body that stops on them: taking them for one that never looks would make Ctrl-C do nothing.
        using var signals = takeSignals ? new SignalHandlers(cancel) : null;
        try
        {
            return body(cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            error.WriteLine("cancelled: features extracted so far are kept in the cache; no model was written.");
            return ExitCodes.Cancelled;
        }
        catch (UsageException e)
        {
            error.WriteLine($"error: {e.Message} (run with --help for usage)");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (IsUserError(e))
        {
            error.WriteLine($"error: {e.Message}{FlagHint(e, flags)}");
            if (verbose) error.WriteLine(e);
            return ExitCodes.Failed;
        }
        catch (Exception e)
        {
            error.WriteLine($"internal error (a bug in mlnet-transfer: please report it with what follows): {e.GetType().FullName}: {e.Message}");
            error.WriteLine(e);
            return ExitCodes.InternalError;
        }
    }

    private sealed class SignalHandlers : IDisposable
    {
        private readonly List<System.Runtime.InteropServices.PosixSignalRegistration> _registrations = [];

        public SignalHandlers(CancellationTokenSource cancel)
        {
            foreach (var signal in new[] { System.Runtime.InteropServices.PosixSignal.SIGINT, System.Runtime.InteropServices.PosixSignal.SIGTERM })
            {
                try
                {
                    _registrations.Add(System.Runtime.InteropServices.PosixSignalRegistration.Create(signal, context =>
                    {
                        context.Cancel = true; // not the runtime's default ending: the run unwinds
                        cancel.Cancel();
                    }));
                }
                catch (PlatformNotSupportedException) { } // a signal this platform does not have
            }
        }

        public void Dispose() => _registrations.ForEach(r => r.Dispose());
    }

    /// <summary>The library's user errors and files that cannot be read, written or decoded (bad input, a full disk).</summary>
    internal static bool IsUserError(Exception e) =>
        e is MlNetTransferException or IOException or UnauthorizedAccessException or InvalidDataException;

    private static string FlagHint(Exception e, IReadOnlyDictionary<string, string>? flags) =>
        e is MlNetTransferException { Setting: { } setting }
        && (flags is not null && flags.TryGetValue(setting, out var flag) || CommonFlags.TryGetValue(setting, out flag))
            ? $" (command line: {flag})" : "";
}

/// <summary>Wrong use of a command found after parsing (a flag's value the parser cannot check); the message names the flag.</summary>
internal sealed class UsageException(string message) : Exception(message);
