using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MlNetTransfer.Data;

namespace MlNetTransfer.Model;

/// <summary>Settings of <see cref="BatchingPredictor"/>.</summary>
public sealed record BatchingOptions
{
    /// <summary>Most images per network call.</summary>
    public int MaxBatchSize { get; init; } = 16;

    /// <summary>
    /// Longest a decoded image waits for others to join its batch. It waits only while other requests are being
    /// decoded: a lone request goes through the network at once.
    /// </summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Images decoded at once; 0: one per core.</summary>
    public int DecodeThreads { get; init; }

    /// <summary>Images with more pixels than this are refused from their header, before decoding.</summary>
    public long MaxPixels { get; init; } = ImageCheck.DefaultMaxPixels;

    /// <summary>
    /// Load the model file again when it is replaced (best written beside it, then renamed over it), and swap it in
    /// once loaded; a file that does not load is logged and the model before it goes on serving.
    /// </summary>
    public bool ReloadOnChange { get; init; } = true;
}

/// <summary>The model a <see cref="BatchingPredictor"/> serves: which file, its content's SHA-256, when it was loaded.</summary>
public sealed record ServedModel(string Path, string Sha256, DateTimeOffset LoadedAt, IReadOnlyList<string> Classes)
{
    internal ModelFile File { get; init; } = null!;
}

/// <summary>
/// A thread-safe predictor for servers: concurrent requests are decoded on a bounded number of threads and gathered
/// into batched calls of model.zip's own graph (one batch at a time, every core for the network). Its probabilities
/// equal the .zip's within 1e-4 (tested). With <see cref="BatchingOptions.ReloadOnChange"/> (the default) it watches
/// the model file: a replaced file is loaded in the background and swapped in at once; requests never wait for a load,
/// and each finishes on the model it started with.
/// </summary>
public sealed class BatchingPredictor : IDisposable
{
    private readonly string _modelPath;
    private readonly BatchingOptions _options;
    private readonly ILogger _logger;
    private readonly ModelFileWatcher? _watcher;
    private volatile Loaded _live;
    private volatile string? _reloadProblem;
    private volatile bool _disposed;
    private int _disposeCalls;

    /// <param name="logger">Where model loads and failed reloads are reported; none: nowhere.</param>
    /// <exception cref="ModelLoadException">The model cannot be read.</exception>
    public BatchingPredictor(string modelPath, BatchingOptions? options = null, ILogger<BatchingPredictor>? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        _options = options ?? new BatchingOptions();
        if (_options.MaxBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxBatchSize must be at least 1.");
        _modelPath = Path.GetFullPath(modelPath);
        _logger = logger ?? NullLogger<BatchingPredictor>.Instance;
        var signature = FileSignature.Of(_modelPath); // before reading: a file replaced during the load is seen as changed again
        _live = Load(knownSha256: null);
        _logger.LogInformation("Loaded {Path} (sha256 {Sha256}, classes {Classes})", _modelPath, _live.Model.Sha256, string.Join(", ", _live.Model.Classes));
        if (_options.ReloadOnChange) _watcher = new ModelFileWatcher(_modelPath, signature, Reload);
    }

    /// <summary>The model answering requests now.</summary>
    public ServedModel Model => _live.Model;

    /// <summary>The class names of the model answering now, in the order of <see cref="Prediction.Scores"/>.</summary>
    public IReadOnlyList<string> Classes => _live.Model.Classes;

    /// <summary>Why the model file, as it is now, is not the one served (its last reload failed); null when it is.</summary>
    public string? ReloadProblem => _reloadProblem;

    /// <summary>Predicts an encoded image (JPEG, PNG, GIF, BMP, WebP bytes).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a usable image; the message says why.</exception>
    public async Task<Prediction> PredictAsync(byte[] image, string? name = null, CancellationToken cancel = default) =>
        (await PredictWithModelAsync(image, name, cancel).ConfigureAwait(false)).Prediction;

    /// <summary>The prediction and the model that made it (the classes its scores are in).</summary>
    internal async Task<(Prediction Prediction, ServedModel Model)> PredictWithModelAsync(byte[] image, string? name = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        var loaded = Acquire();
        try
        {
            return (await loaded.Batcher.PredictAsync(image, name, cancel).ConfigureAwait(false), loaded.Model);
        }
        finally
        {
            loaded.Release();
        }
    }

    /// <summary>
    /// Predicts an encoded image and shows where the model looked (Grad-CAM; see <see cref="ImagePredictor.Explain(byte[], string?)"/>).
    /// It runs on its own, outside the batches.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a usable image; the message says why.</exception>
    /// <exception cref="MlNetTransferException">The model's backbone has no convolutional map before its features.</exception>
    public async Task<Explanation> ExplainAsync(byte[] image, string? name = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        var loaded = Acquire();
        try
        {
            return await loaded.Batcher.ExplainAsync(image, name, cancel).ConfigureAwait(false);
        }
        finally
        {
            loaded.Release();
        }
    }

    private Loaded Acquire()
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var loaded = _live;
            if (loaded.TryAddUser()) return loaded;
            // Replaced and drained between the read and the count: the next read finds its successor.
        }
    }

    private Loaded Load(string? knownSha256)
    {
        ModelFile.ThrowIfMissing(_modelPath); // hashed before it is read
        string sha256 = knownSha256 ?? IO.FileHashes.Sha256(_modelPath);
        var file = ModelFile.Read(_modelPath);
        var batcher = new ModelBatcher(file, _options);
        // The description and the graph are read from the path one after the other: a file replaced in between would
        // pair one model's classes with another's graph. Hashed again, such a load is refused; the watcher, which
        // took the file's signature before the load, sees the change and loads the new file.
        if (IO.FileHashes.Sha256(_modelPath) != sha256)
        {
            batcher.Dispose();
            throw new ModelLoadException(_modelPath, "it was replaced while it was being loaded");
        }
        return new Loaded(batcher, new ServedModel(_modelPath, sha256, DateTimeOffset.UtcNow, file.Classes) { File = file });
    }

    // On the watcher's task. Any failure keeps the model before it: a background load must never take the server down.
    private void Reload()
    {
        Loaded next;
        try
        {
            string sha256 = IO.FileHashes.Sha256(_modelPath);
            if (sha256 == _live.Model.Sha256) // touched, or the served file put back after a failed one: nothing to load
            {
                _reloadProblem = null;
                return;
            }
            next = Load(sha256);
        }
        catch (Exception e)
        {
            _reloadProblem = e.Message;
            _logger.LogError("The replaced model file did not load, so the model before it goes on serving (sha256 {Sha256}, loaded {LoadedAt:O}). {Reason}",
                _live.Model.Sha256, _live.Model.LoadedAt, e.Message);
            return;
        }
        var previous = _live;
        _live = next;
        _reloadProblem = null;
        previous.Release(); // disposed once the requests it is answering are answered
        _logger.LogInformation("Reloaded {Path} (sha256 {Sha256}, classes {Classes}); it answers every new request.",
            _modelPath, next.Model.Sha256, string.Join(", ", next.Model.Classes));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposeCalls, 1) == 1) return; // two Dispose calls at once must release once
        _disposed = true;
        _watcher?.Dispose();
        _live.Release();
    }

    /// <summary>One loaded model and the requests using it; the predictor's own reference counts as one user until it is replaced.</summary>
    private sealed class Loaded(ModelBatcher batcher, ServedModel model)
    {
        private int _users = 1;

        public ModelBatcher Batcher { get; } = batcher;
        public ServedModel Model { get; } = model;

        public bool TryAddUser()
        {
            int users = Volatile.Read(ref _users);
            while (users > 0)
            {
                int seen = Interlocked.CompareExchange(ref _users, users + 1, users);
                if (seen == users) return true;
                users = seen;
            }
            return false;
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _users) == 0) Batcher.Dispose();
        }
    }
}
