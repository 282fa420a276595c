namespace MlNetTransfer.Cli;

public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Bad input: data set, model file, settings, paths.</summary>
    public const int Failed = 1;
    /// <summary>Wrong command-line usage.</summary>
    public const int Usage = 2;
    /// <summary>A bug: an unexpected exception, printed with its stack trace (EX_SOFTWARE of sysexits.h).</summary>
    public const int InternalError = 70;
    /// <summary>Interrupted by Ctrl-C.</summary>
    public const int Cancelled = 130;
}
