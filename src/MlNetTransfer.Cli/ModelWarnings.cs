namespace MlNetTransfer.Cli;

/// <summary>Warnings about running a saved model on this machine, written before its predictions.</summary>
internal static class ModelWarnings
{
    /// <summary>Writes what the model's file says may go wrong here (an int8 model from a VNNI processor on one without).</summary>
    public static void Write(string modelPath, TextWriter error)
    {
        if (File.Exists(modelPath) && Model.ModelFile.Read(modelPath).Info.Int8?.ProcessorWarning() is { } warning)
            error.WriteLine($"warning: {warning}");
    }
}
