using System.Runtime.InteropServices;

namespace MlNetTransfer.Cli;

/// <summary>
/// A shell without job control (a script, `bash -c`) starts its background jobs with SIGINT ignored, and .NET leaves an
/// inherited "ignore" in place: `serve &` in a script then kept serving after `kill -INT`. The CLI takes SIGINT as it
/// takes SIGTERM wherever it was started, as Go's signal.Notify and most servers do. The "ignore" is undone (and
/// nothing else is touched) before .NET installs its own handlers, which it does at the first console or signal call;
/// so this runs first in Main. Where that order ever changes, SIGINT ends the process instead of being ignored.
/// </summary>
internal static unsafe partial class InheritedSignals
{
    private const int Interrupt = 2; // SIGINT, on Linux and macOS
    private const nint DefaultAction = 0; // SIG_DFL
    private const nint Ignore = 1; // SIG_IGN

    public static void TakeInterrupt()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        try
        {
            // struct sigaction, read only: its handler comes first on Linux and macOS; 256 bytes covers either layout.
            byte* current = stackalloc byte[256];
            new Span<byte>(current, 256).Clear();
            if (SigAction(Interrupt, null, current) == 0 && *(nint*)current == Ignore)
                Signal(Interrupt, DefaultAction);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    [LibraryImport("libc", EntryPoint = "sigaction")]
    private static partial int SigAction(int signal, void* action, void* current);

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);
}
