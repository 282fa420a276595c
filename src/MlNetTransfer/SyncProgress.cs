namespace MlNetTransfer;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls back on the reporting thread, at once. System.Progress posts to the
/// thread pool, which reorders reports and can deliver them after the work has finished.
/// </summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
