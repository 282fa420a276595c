using System.Collections.Concurrent;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MlNetTransfer.Backbones;
using MlNetTransfer.Data;
using MlNetTransfer.IO;

namespace MlNetTransfer.Features;

/// <summary>
/// Computes backbone features (or a saved model's feature part's) for image files or a data view's rows (read in row
/// order): cache lookups and decoding run on worker threads and feed a bounded
/// queue; the network takes full batches from it. Memory stays flat whatever the number of images. Unusable
/// images are reported, never fatal; every finished batch is in the cache before the next begins.
/// </summary>
internal sealed class FeatureExtractor : IDisposable
{
    private readonly BackboneDescription _backbone;
    private readonly ExtractorOptions _options;
    private readonly ImagePixels _pixels;
    private readonly PixelBuffers _buffers;
    private readonly object _networkLock = new();
    private readonly FeatureCache? _cache;
    private readonly byte[]? _graph;
    private Task<FeatureNetwork>? _network;

    /// <param name="cache">Where features are read and kept; null extracts everything afresh and stores nothing.</param>
    public FeatureExtractor(BackboneDescription backbone, ExtractorOptions? options = null, FeatureCache? cache = null)
        : this(backbone, null, options, cache)
    {
    }

    /// <summary>Runs <paramref name="graph"/> (a saved model's feature part) on pixels made as <paramref name="backbone"/> says, instead of the backbone's own graph.</summary>
    internal FeatureExtractor(BackboneDescription backbone, byte[]? graph, ExtractorOptions? options, FeatureCache? cache)
    {
        _graph = graph;
        _cache = cache;
        _backbone = backbone ?? throw new ArgumentNullException(nameof(backbone));
        _options = options ?? new ExtractorOptions();
        _pixels = new ImagePixels(backbone);
        _buffers = new PixelBuffers(_pixels.Length);
        if (_options.BatchSize < 1)
            throw new MlNetTransferException($"ExtractorOptions.BatchSize must be at least 1, not {_options.BatchSize}.", nameof(TrainSettings.Extraction) + "." + nameof(ExtractorOptions.BatchSize));
    }

    /// <summary>Extracts features of <paramref name="paths"/> (duplicates are extracted once).</summary>
    /// <exception cref="OperationCanceledException">Cancelled; what was extracted before is in the cache.</exception>
    public ExtractionResult Extract(IEnumerable<string> paths, IProgress<ExtractionProgress>? progress = null, CancellationToken cancel = default) =>
        Extract(paths.Select(p => new LabelledImage(p, -1)), progress, cancel);

    /// <summary>
    /// Extracts features of <paramref name="images"/>: files, or rows of a data view (<see cref="LabelledImage.Row"/>, read in row order);
    /// results are keyed by <see cref="LabelledImage.Path"/>, and images of the same path are extracted once.
    /// </summary>
    /// <param name="reuseCached">False extracts every image again (its cache entry is rewritten).</param>
    public ExtractionResult Extract(IEnumerable<LabelledImage> images, IProgress<ExtractionProgress>? progress = null, CancellationToken cancel = default, bool reuseCached = true) =>
        Run(InReadOrder(images.DistinctBy(i => i.Path, StringComparer.Ordinal).Select(i => new WorkItem(i.Path, i, -1))), null, progress, cancel, reuseCached);

    /// <summary>
    /// Extracts <paramref name="views"/> augmented views of each image (cached under the view's own key). Results
    /// are keyed by <see cref="ViewId"/>.
    /// </summary>
    public ExtractionResult ExtractViews(IEnumerable<LabelledImage> images, ViewAugmentation augmentation, int views,
        IProgress<ExtractionProgress>? progress = null, CancellationToken cancel = default) =>
        Run(InReadOrder(images.DistinctBy(i => i.Path, StringComparer.Ordinal)
                .SelectMany(i => Enumerable.Range(0, views).Select(v => new WorkItem(ViewId(i.Path, v), i, v)))),
            augmentation, progress, cancel);

    /// <summary>The key of view <paramref name="view"/> of <paramref name="path"/> in <see cref="ExtractionResult.Features"/>.</summary>
    public static string ViewId(string path, int view) => $"{path}#view{view}";

    private sealed record WorkItem(string Id, LabelledImage Image, int View);

    // Rows of a data view in row order, so that their reader's cursor only moves forward; files as given.
    private static WorkItem[] InReadOrder(IEnumerable<WorkItem> items) => items.OrderBy(w => LabelledImage.ReadOrder(w.Image)).ToArray();

    private ExtractionResult Run(WorkItem[] unique, ViewAugmentation? augmentation, IProgress<ExtractionProgress>? progress, CancellationToken cancel, bool reuseCached = true)
    {
        var clock = Stopwatch.StartNew();
        var features = new ConcurrentDictionary<string, float[]>(StringComparer.Ordinal);
        var skipped = new ConcurrentBag<SkippedImage>();
        int fromCache = 0, next = -1;
        var extracted = new StrongBox<int>();
        int corruptBefore = _cache?.CorruptEntries ?? 0;
        // Four batches deep: room for the decoders to work ahead while the network loads, and through its bursts. (Sixteen
        // batches, to decode ahead through the int8 session's loading, measured no clearly faster: 1.33-1.50 × raw fp32
        // against 1.37-1.39 × on ants/bees; the two cores are busy already.)
        var queue = Channel.CreateBounded<Decoded>(new BoundedChannelOptions(_options.BatchSize * 4) { SingleReader = true });

        // Decoder threads and the network's thread all report: one report at a time, so that no caller needs a lock.
        var reportGate = new object();
        void Report()
        {
            if (progress is null) return;
            lock (reportGate)
                progress.Report(new ExtractionProgress(
                    Volatile.Read(ref fromCache) + Volatile.Read(ref extracted.Value) + skipped.Count, unique.Length,
                    Volatile.Read(ref fromCache), Volatile.Read(ref extracted.Value), skipped.Count, clock.Elapsed));
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        // Decoders block on the full queue, so each gets a thread of its own rather than one of the thread pool's
        // (blocked pool threads delayed the network's loading task by about half a second, measured).
        // A data view's rows are read as their work is taken, under one lock, so that they are asked for in row order.
        bool rows = unique.Any(w => w.Image.Row is not null);
        var takeGate = new object();
        var workers = Enumerable.Range(0, Math.Min(_options.ResolvedDecodeThreads, Math.Max(1, unique.Length))).Select(_ => Task.Factory.StartNew(() =>
        {
            try
            {
                while (true)
                {
                    int i;
                    byte[]? row = null;
                    if (rows)
                    {
                        lock (takeGate)
                        {
                            i = ++next;
                            if (i < unique.Length && unique[i].Image.Row is not null)
                                row = unique[i].Image.ReadBytes();
                        }
                    }
                    else
                        i = Interlocked.Increment(ref next);
                    if (i >= unique.Length) break;
                    linked.Token.ThrowIfCancellationRequested();
                    var item = Prepare(unique[i], row, augmentation, reuseCached, skipped, out var cached);
                    if (cached is not null)
                    {
                        features[unique[i].Id] = cached;
                        Interlocked.Increment(ref fromCache);
                        Report();
                    }
                    else if (item is not null)
                        queue.Writer.WriteAsync(item, linked.Token).AsTask().GetAwaiter().GetResult();
                    else
                        Report();
                }
            }
            catch
            {
                linked.Cancel(); // the other decoders stop too: the error is the run's
                throw;
            }
        }, linked.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        var allWritten = Task.WhenAll(workers).ContinueWith(t => queue.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default);

        try
        {
            RunBatches(queue.Reader, features, extracted, Report, linked.Token);
            allWritten.GetAwaiter().GetResult();
            Task.WhenAll(workers).GetAwaiter().GetResult();
        }
        catch
        {
            linked.Cancel();
            try { Task.WaitAll(workers); } catch (AggregateException) { }
            while (queue.Reader.TryRead(out var left)) _buffers.Return(left.Pixels);
            // A decoder's failure cancelled the rest: that failure, not the cancellation it caused, is the run's error.
            if (!cancel.IsCancellationRequested && workers.FirstOrDefault(w => w.IsFaulted)?.Exception?.InnerException is { } failure)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            throw;
        }

        return new ExtractionResult
        {
            Features = features,
            Skipped = skipped.DistinctBy(s => s.Path).OrderBy(s => s.Path, StringComparer.Ordinal).ToList(),
            Images = unique.Length,
            FromCache = fromCache,
            Extracted = extracted.Value,
            Seconds = clock.Elapsed.TotalSeconds,
            CorruptCacheEntries = (_cache?.CorruptEntries ?? 0) - corruptBefore,
        };
    }

    private sealed record Decoded(string Path, string Key, byte[] Pixels);

    // Reads the image once (a row's bytes come read already): the same bytes are hashed for the cache key, checked, and decoded.
    private Decoded? Prepare(WorkItem item, byte[]? row, ViewAugmentation? augmentation, bool reuseCached, ConcurrentBag<SkippedImage> skipped, out float[]? cached)
    {
        cached = null;
        string path = item.Image.Path;
        byte[] bytes;
        try { bytes = row ?? item.Image.ReadBytes(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            skipped.Add(new SkippedImage(path, $"cannot read file: {e.Message}"));
            return null;
        }
        string contentKey = FeatureKey.Entry(bytes);
        string key = item.View < 0 ? contentKey : FeatureKey.Entry(contentKey, augmentation!, item.View);
        cached = reuseCached ? _cache?.TryRead(key, _backbone.FeatureSize) : null;
        if (cached is not null) return null;

        StartLoadingNetwork();
        if (ImageCheck.Problem(bytes, _options.MaxPixels) is { } problem)
        {
            skipped.Add(new SkippedImage(path, problem));
            return null;
        }
        var pixels = _buffers.Rent();
        try
        {
            if (item.View < 0) _pixels.Decode(bytes, pixels);
            else augmentation!.Render(bytes, contentKey, item.View, _backbone.DecodedSize, pixels);
            return new Decoded(item.Id, key, pixels);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _buffers.Return(pixels);
            skipped.Add(new SkippedImage(path, $"could not be decoded: {e.Message}"));
            return null;
        }
    }

    private void RunBatches(ChannelReader<Decoded> reader, ConcurrentDictionary<string, float[]> features, StrongBox<int> extracted, Action report, CancellationToken cancel)
    {
        int batchSize = _options.BatchSize, featureSize = _backbone.FeatureSize;
        int pixelLength = 3 * _backbone.DecodedSize * _backbone.DecodedSize;
        float[]? input = null;
        var output = new float[batchSize * featureSize];
        var batch = new List<Decoded>(batchSize);
        int batchesCached = 0;
        try
        {
            while (reader.WaitToReadAsync(cancel).AsTask().GetAwaiter().GetResult())
            {
                while (batch.Count < batchSize && reader.TryRead(out var item)) batch.Add(item);
                // Wait for a full batch unless the queue is finished: small batches waste the network's time.
                if (batch.Count < batchSize && !reader.Completion.IsCompleted) continue;
                Flush();
            }
            Flush();
        }
        finally
        {
            foreach (var b in batch) _buffers.Return(b.Pixels);
        }

        void Flush()
        {
            if (batch.Count == 0) return;
            cancel.ThrowIfCancellationRequested();
            var network = StartLoadingNetwork().GetAwaiter().GetResult();
            input ??= new float[batchSize * pixelLength];
            for (int i = 0; i < batch.Count; i++)
                TensorPrimitives.ConvertTruncating<byte, float>(batch[i].Pixels, input.AsSpan(i * pixelLength, pixelLength)); // exact-size buffers
            network.Run(input, batch.Count, output);
            for (int i = 0; i < batch.Count; i++)
            {
                var vector = output.AsSpan(i * featureSize, featureSize).ToArray();
                _cache?.Write(batch[i].Key, vector);
                features[batch[i].Path] = vector;
                _buffers.Return(batch[i].Pixels);
            }
            Interlocked.Add(ref extracted.Value, batch.Count);
            batch.Clear();
            TestPausePoint.Reach(TestPausePoint.AfterCachedBatch, (++batchesCached).ToString(System.Globalization.CultureInfo.InvariantCulture));
            report();
        }
    }

    // The network session takes about a second to load: it loads on its own thread from the first image that needs
    // it, while the decoders fill the queue, instead of in front of the first batch. Fully cached runs never load it.
    private Task<FeatureNetwork> StartLoadingNetwork()
    {
        lock (_networkLock)
            return _network ??= Task.Factory.StartNew(() => _graph is null
                    ? new FeatureNetwork(_backbone, _options.ResolvedInferenceThreads, _options.Device, _cache?.BackboneFolder)
                    : new FeatureNetwork(_graph, _backbone.DecodedSize, FeatureGraph.FeaturesOutput, _backbone.FeatureSize, _options.ResolvedInferenceThreads, _options.Device),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Releases the network; the extractor may be disposed more than once.</summary>
    public void Dispose()
    {
        Task<FeatureNetwork>? network;
        lock (_networkLock) (network, _network) = (_network, null);
        if (network is null) return;
        try { network.GetAwaiter().GetResult().Dispose(); }
        catch (Exception) { } // it failed to load: the error was reported where it was awaited
    }

    // Decoded images in flight (queue, batch, decoders) reuse exact-size buffers. ArrayPool.Shared drops arrays
    // returned beyond its per-core share: with decoders renting and the network thread returning, that left a stream
    // of large-object garbage, and peak memory grew with the number of images (1 GB at 5,000 photos, measured).
    private sealed class PixelBuffers(int length)
    {
        private readonly ConcurrentBag<byte[]> _free = new();

        public byte[] Rent() => _free.TryTake(out var buffer) ? buffer : new byte[length];

        public void Return(byte[] buffer) => _free.Add(buffer);
    }
}
