using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MlNetTransfer.Cli;

/// <summary>
/// The terminal view of a training run: a progress bar for feature extraction (count, images/s, time left) and a
/// live table of epochs with the best one marked, redrawn in place. Used only when the output is a terminal and
/// NO_COLOR is not set; otherwise <see cref="TrainingRenderer"/> prints plain lines.
/// </summary>
internal sealed class LiveTrainingRenderer : IProgress<TrainingEvent>
{
    private readonly object _gate = new();
    private readonly Table _epochs = new Table().Border(TableBorder.Rounded)
        .AddColumns("epoch", "train loss", "train acc", "val loss", "val acc", "");
    private string _data = "";
    private string _extraction = "";
    private string _status = "";
    private LiveDisplayContext? _live;
    private int _bestRow = -1;

    public static bool IsWanted(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    /// <summary>Runs <paramref name="work"/> while the live view is on screen.</summary>
    public T Run<T>(Func<T> work)
    {
        T result = default!;
        AnsiConsole.Live(Render()).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).Start(ctx =>
        {
            lock (_gate) _live = ctx;
            try { result = work(); }
            finally { lock (_gate) { _live = null; ctx.UpdateTarget(Render()); } }
        });
        return result;
    }

    public void Report(TrainingEvent value)
    {
        lock (_gate)
        {
            var inv = CultureInfo.InvariantCulture;
            switch (value)
            {
                case DatasetScanned d:
                    _data = $"[bold]{d.Classes}[/] classes, [bold]{d.TrainImages}[/] training and [bold]{d.ValidationImages}[/] validation images";
                    break;
                case PrecisionChosen { Choice: var choice }:
                    _data += $"  ·  network [bold]{choice.Name}[/]";
                    break;
                case Calibrating c:
                    _status = $"calibrating the int8 network on {c.Images} training images (kept in the cache for later runs)";
                    break;
                case ViewChosen { Report: var r }:
                    _data += $"  ·  view [bold]{r.Chosen.ToString().ToLowerInvariant()}[/]";
                    _status = "";
                    break;
                case ExtractionAdvanced { Progress: var p }:
                    if (_status.StartsWith("calibrating", StringComparison.Ordinal)) _status = ""; // done: extraction has begun
                    double share = p.Total == 0 ? 1 : (double)p.Done / p.Total;
                    int filled = (int)Math.Round(share * 40);
                    double rate = p.ExtractedPerSecond;
                    string eta = rate > 0 && p.Done < p.Total ? $"  about {TimeSpan.FromSeconds((p.Total - p.Done) / rate):mm\\:ss} left" : "";
                    _extraction = string.Create(inv, $"features [green]{new string('━', filled)}[/][grey]{new string('━', 40 - filled)}[/] {p.Done}/{p.Total}  {(p.Extracted == 0 ? "" : $"{rate:F1} img/s  ")}({p.FromCache} cached, {p.Skipped} skipped){eta}");
                    break;
                case EpochEnded { Metrics: var m }:
                    if (m.IsBest && _bestRow >= 0) _epochs.UpdateCell(_bestRow, 5, "");
                    _epochs.AddRow(m.Epoch.ToString(inv), m.TrainLoss.ToString("F4", inv), m.TrainAccuracy.ToString("F4", inv),
                        m.ValidationLoss.ToString("F4", inv), m.ValidationAccuracy.ToString("F4", inv), m.IsBest ? "[green]best[/]" : "");
                    if (m.IsBest) _bestRow = _epochs.Rows.Count - 1;
                    break;
                case SavingModel s:
                    _status = $"saving {Markup.Escape(s.Path)}";
                    break;
            }
            _live?.UpdateTarget(Render());
        }
    }

    private IRenderable Render()
    {
        var rows = new List<IRenderable> { new Markup(_data) };
        if (_extraction.Length > 0) rows.Add(new Markup(_extraction));
        if (_epochs.Rows.Count > 0) rows.Add(_epochs);
        if (_status.Length > 0) rows.Add(new Markup(_status));
        return new Rows(rows);
    }
}
