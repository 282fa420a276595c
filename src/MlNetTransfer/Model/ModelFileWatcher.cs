namespace MlNetTransfer.Model;

/// <summary>
/// Calls back, on one background task, when a file's size or modification time changes: a deployment that writes a
/// new model beside the old one and renames it over it, or one that copies over it. The directory's
/// <see cref="FileSystemWatcher"/> says so at once; a poll of (size, modification time) catches what it misses
/// (network file systems, a Kubernetes volume whose files are symbolic links swapped above them, an exhausted inotify
/// limit). Events are debounced: a file still being written is looked at once it has been quiet for a moment.
/// </summary>
internal sealed class ModelFileWatcher : IDisposable
{
    // A copy in progress raises a change event per write; 300 ms of quiet is well past a local disk's gaps between them.
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly string _path;
    private readonly Action _changed;
    private readonly FileSystemWatcher? _events;
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private FileSignature? _seen;

    /// <param name="seen">The file as it was when last loaded: a change is a difference from it.</param>
    /// <param name="changed">Called on the watcher's task, one call at a time.</param>
    public ModelFileWatcher(string path, FileSignature? seen, Action changed)
    {
        _path = Path.GetFullPath(path);
        _seen = seen;
        _changed = changed;
        try
        {
            _events = new FileSystemWatcher(Path.GetDirectoryName(_path)!, Path.GetFileName(_path))
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _events.Changed += (_, _) => Signal();
            _events.Created += (_, _) => Signal();
            _events.Deleted += (_, _) => Signal();
            _events.Renamed += (_, _) => Signal();
            _events.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            _events?.Dispose(); // the poll alone watches (e.g. the inotify instance limit is reached)
            _events = null;
        }
        _loop = Task.Run(WatchAsync);
    }

    private void Signal()
    {
        try { _signal.Release(); }
        catch (ObjectDisposedException) { } // an event raised while the watcher is being disposed
    }

    private async Task WatchAsync()
    {
        var stop = _stop.Token;
        try
        {
            while (true)
            {
                await _signal.WaitAsync(PollInterval, stop).ConfigureAwait(false);
                while (await _signal.WaitAsync(Debounce, stop).ConfigureAwait(false)) { } // until quiet
                var now = FileSignature.Of(_path);
                if (now == _seen) continue;
                _seen = now;
                _changed();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    public void Dispose()
    {
        _events?.Dispose();
        _stop.Cancel();
        _loop.GetAwaiter().GetResult(); // a load under way finishes first
        _stop.Dispose();
        _signal.Dispose();
    }
}

/// <summary>What tells one version of a file from the next without reading it: its size and modification time; null: no file.</summary>
internal sealed record FileSignature(long Length, DateTime LastWriteUtc)
{
    public static FileSignature? Of(string path)
    {
        try
        {
            // FileInfo describes a symbolic link itself, not its target: a Kubernetes volume's file is a link that stays
            // the same while the folder link above it is swapped (checked: the link's length stayed 16 across a swap).
            var info = new FileInfo(path);
            if (info.LinkTarget is not null) info = info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info;
            return info.Exists ? new FileSignature(info.Length, info.LastWriteTimeUtc) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
