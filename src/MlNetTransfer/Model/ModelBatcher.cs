using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using MlNetTransfer.Data;
using MlNetTransfer.Features;

namespace MlNetTransfer.Model;

/// <summary>
/// The batching of one loaded model: concurrent requests are decoded on a bounded number of threads and gathered
/// into batched calls of model.zip's own graph (one batch at a time, every core for the network).
/// <see cref="BatchingPredictor"/> holds one of these per model it has loaded, and disposes it when it is replaced and
/// its last request is answered.
/// </summary>
internal sealed class ModelBatcher : IDisposable
{
    private readonly BatchingOptions _options;
    private readonly IReadOnlyList<string> _classes;
    private readonly FeatureNetwork _network;
    private readonly ImagePixels _decoder;
    private readonly Explainer _explainer;
    private readonly SemaphoreSlim _decodeSlots;
    private readonly SemaphoreSlim _explainSlot = new(1); // one explanation at a time, beside the predictions' decode slots
    private readonly Channel<Pending> _decoded = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    private readonly ConcurrentBag<float[]> _buffers = new();
    private readonly Thread _batcher;
    private int _inFlight; // requests accepted and not yet taken into a batch

    /// <exception cref="ModelLoadException">The model's graph cannot be read.</exception>
    public ModelBatcher(ModelFile model, BatchingOptions options)
    {
        _options = options;
        _classes = model.Classes;
        _network = model.Graph().AnswerNetwork();
        _decoder = new ImagePixels(model.Backbone());
        _explainer = new Explainer(model);
        _decodeSlots = new SemaphoreSlim(_options.DecodeThreads > 0 ? _options.DecodeThreads : Environment.ProcessorCount);
        _batcher = new Thread(RunBatches) { IsBackground = true, Name = "MlNetTransfer batches" };
        _batcher.Start();
    }

    /// <exception cref="InvalidDataException">The bytes are not a usable image; the message says why.</exception>
    public async Task<Prediction> PredictAsync(byte[] image, string? name, CancellationToken cancel)
    {
        var pending = new Pending(name ?? "", new TaskCompletionSource<Prediction>(TaskCreationOptions.RunContinuationsAsynchronously));
        Interlocked.Increment(ref _inFlight);
        bool queued = false;
        try
        {
            await _decodeSlots.WaitAsync(cancel).ConfigureAwait(false);
            try { pending.Pixels = await Task.Run(() => Decode(image, name), cancel).ConfigureAwait(false); }
            finally { _decodeSlots.Release(); }
            queued = _decoded.Writer.TryWrite(pending);
            if (!queued) throw new ObjectDisposedException(nameof(BatchingPredictor));
        }
        finally
        {
            if (!queued) Interlocked.Decrement(ref _inFlight);
        }
        return await pending.Result.Task.WaitAsync(cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// One image's prediction and heatmap, outside the batches, one at a time: explanations queue behind each other,
    /// never in front of the predictions' decoding.
    /// </summary>
    public async Task<Explanation> ExplainAsync(byte[] image, string? name, CancellationToken cancel)
    {
        await _explainSlot.WaitAsync(cancel).ConfigureAwait(false);
        try { return await Task.Run(() => _explainer.Explain(image, name, _options.MaxPixels), cancel).ConfigureAwait(false); }
        finally { _explainSlot.Release(); }
    }

    private float[] Decode(byte[] image, string? name)
    {
        var pixels = _buffers.TryTake(out var buffer) ? buffer : new float[_decoder.Length];
        try
        {
            _decoder.DecodeChecked(image, name, _options.MaxPixels, pixels);
            return pixels;
        }
        catch (InvalidDataException)
        {
            _buffers.Add(pixels);
            throw;
        }
    }

    // One thread: take the first decoded image, let the ones being decoded join for at most MaxWait, run the batch.
    // It blocks while it waits (never spins), so that the decoders it waits for have the cores.
    private void RunBatches()
    {
        var reader = _decoded.Reader;
        var batch = new List<Pending>(_options.MaxBatchSize);
        int pixelLength = _decoder.Length, answerSize = _network.OutputSize;
        var input = new float[_options.MaxBatchSize * pixelLength];
        var answers = new float[_options.MaxBatchSize * answerSize];
        Task<bool>? arrival = null; // the one wait on the single-reader channel, kept when a wait times out
        bool Arrived(int milliseconds)
        {
            arrival ??= reader.WaitToReadAsync().AsTask();
            if (!arrival.Wait(milliseconds)) return false;
            bool more = arrival.Result;
            arrival = null;
            return more;
        }
        while (Arrived(Timeout.Infinite))
        {
            long start = Stopwatch.GetTimestamp();
            while (batch.Count < _options.MaxBatchSize)
            {
                if (reader.TryRead(out var next)) { batch.Add(next); continue; }
                var left = _options.MaxWait - Stopwatch.GetElapsedTime(start);
                if (Volatile.Read(ref _inFlight) <= batch.Count || left <= TimeSpan.Zero || reader.Completion.IsCompleted) break;
                Arrived((int)Math.Ceiling(left.TotalMilliseconds)); // an image, the deadline or the end: the loop looks again
            }
            if (batch.Count == 0) continue;
            Interlocked.Add(ref _inFlight, -batch.Count);
            Run(batch, input, answers, pixelLength, answerSize);
            batch.Clear();
        }
    }

    private void Run(List<Pending> batch, float[] input, float[] answers, int pixelLength, int answerSize)
    {
        try
        {
            for (int i = 0; i < batch.Count; i++)
                batch[i].Pixels!.CopyTo(input.AsSpan(i * pixelLength));
            _network.Run(input, batch.Count, answers);
            for (int i = 0; i < batch.Count; i++)
                batch[i].Result.TrySetResult(Prediction.FromAnswer(batch[i].Name, _classes, answers.AsSpan(i * answerSize, answerSize)));
        }
        catch (Exception e)
        {
            foreach (var p in batch) p.Result.TrySetException(e);
        }
        finally
        {
            foreach (var p in batch) _buffers.Add(p.Pixels!);
        }
    }

    // Finishes the requests already queued, then ends the batch thread and frees the network.
    public void Dispose()
    {
        _decoded.Writer.TryComplete();
        _batcher.Join();
        _network.Dispose();
        _explainer.Dispose();
        _explainSlot.Dispose();
        _decodeSlots.Dispose();
    }

    private sealed class Pending(string name, TaskCompletionSource<Prediction> result)
    {
        public string Name { get; } = name;
        public TaskCompletionSource<Prediction> Result { get; } = result;
        public float[]? Pixels { get; set; }
    }
}
