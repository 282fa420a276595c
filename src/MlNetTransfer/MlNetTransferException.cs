namespace MlNetTransfer;

/// <summary>
/// A failure the user can fix, said in the library's terms: the data set (<see cref="Data.DatasetException"/>), a model
/// file (<see cref="Model.ModelLoadException"/>), or the settings (this type itself, with <see cref="Setting"/> naming the
/// one at fault). Files that cannot be read or decoded come as <see cref="IOException"/> or
/// <see cref="InvalidDataException"/>; any other exception from the library is a bug.
/// </summary>
public class MlNetTransferException : Exception
{
    public MlNetTransferException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>An error in one setting: <paramref name="setting"/> is its path from <see cref="TrainSettings"/>.</summary>
    public MlNetTransferException(string message, string setting, Exception? inner = null) : base(message, inner) => Setting = setting;

    /// <summary>
    /// The setting at fault, as its property path from <see cref="TrainSettings"/> (for example "Training.Epochs",
    /// "UseCache", "BackbonePreprocessing.FeatureNode", "Extraction.Device"); null when no one setting is the cause.
    /// </summary>
    public string? Setting { get; }

    /// <summary>Throws, naming <paramref name="setting"/>, when <paramref name="value"/> is none of <typeparamref name="T"/>'s values (a number cast to it).</summary>
    /// <param name="name">How the message names it; default <paramref name="setting"/>.</param>
    internal static void ThrowIfUndefined<T>(T value, string setting, string? name = null) where T : struct, Enum
    {
        if (Enum.IsDefined(value)) return;
        var names = Enum.GetNames<T>();
        throw new MlNetTransferException($"{name ?? setting} must be {string.Join(", ", names[..^1])} or {names[^1]}, not {value}.", setting);
    }
}
