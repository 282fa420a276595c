using SkiaSharp;
using MlNetTransfer.Training;

namespace MlNetTransfer.Reports;

/// <summary>PNG charts drawn with SkiaSharp (the version ML.NET's image code already uses): learning curves and a confusion matrix.</summary>
internal static class Charts
{
    private static readonly SKColor TrainColor = new(0x1f, 0x77, 0xb4);
    private static readonly SKColor ValidationColor = new(0xff, 0x7f, 0x0e);

    /// <summary>Two panels, loss and accuracy per epoch (train and validation), the best epoch marked.</summary>
    public static byte[] LearningCurves(IReadOnlyList<EpochMetrics> epochs, int bestEpoch, int width = 900, int height = 340)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        var left = new SKRect(50, 30, width / 2f - 20, height - 40);
        var right = new SKRect(width / 2f + 50, 30, width - 20, height - 40);
        Panel(canvas, left, "loss", epochs, bestEpoch, e => e.TrainLoss, e => e.ValidationLoss, fromZero: true);
        Panel(canvas, right, "accuracy", epochs, bestEpoch, e => e.TrainAccuracy, e => e.ValidationAccuracy, fromZero: false);
        return Encode(surface);
    }

    /// <summary>A heat map of [actual][predicted] counts with the numbers written in.</summary>
    public static byte[] ConfusionMatrix(IReadOnlyList<string> classes, int[][] matrix, int cell = 70)
    {
        int n = classes.Count, labelWidth = 120, top = 40;
        int width = Math.Max(labelWidth + n * cell + 20, 380), height = top + n * cell + 60;
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var fill = new SKPaint { Style = SKPaintStyle.Fill };
        int max = Math.Max(1, matrix.SelectMany(r => r).Max());
        for (int a = 0; a < n; a++)
        {
            Write(canvas, Short(classes[a]), 5, top + a * cell + cell / 2f + 5, 13, SKColors.Black);
            for (int p = 0; p < n; p++)
            {
                float share = matrix[a][p] / (float)max;
                fill.Color = a == p ? new SKColor(30, 120, 60, (byte)(40 + 215 * share)) : new SKColor(200, 40, 40, (byte)(matrix[a][p] == 0 ? 10 : 40 + 215 * share));
                var r = SKRect.Create(labelWidth + p * cell, top + a * cell, cell - 2, cell - 2);
                canvas.DrawRect(r, fill);
                Write(canvas, matrix[a][p].ToString(), r.MidX - 8, r.MidY + 5, 13, SKColors.Black);
            }
        }
        for (int p = 0; p < n; p++)
            Write(canvas, Short(classes[p]), labelWidth + p * cell + 4, top + n * cell + 18, 13, SKColors.Black);
        Write(canvas, "rows: actual, columns: predicted", labelWidth, top + n * cell + 42, 13, SKColors.Black);
        Write(canvas, "confusion matrix", labelWidth, 22, 13, SKColors.Black);
        return Encode(surface);
    }

    /// <summary>
    /// The reliability diagram: per bin of the top probability, the accuracy against the mean confidence (the diagonal
    /// is perfect calibration), before (grey) and after (blue) the temperature; a dot's size grows with its images.
    /// </summary>
    public static byte[] Reliability(Confidence.CalibrationReport calibration, int size = 380)
    {
        using var surface = SKSurface.Create(new SKImageInfo(size, size));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        var area = new SKRect(50, 30, size - 20, size - 45);
        using var axis = new SKPaint { Color = SKColors.Gray, StrokeWidth = 1, IsAntialias = true, Style = SKPaintStyle.Stroke };
        canvas.DrawRect(area, axis);
        using var diagonal = new SKPaint { Color = new SKColor(0, 150, 0, 120), StrokeWidth = 1.5f, IsAntialias = true, PathEffect = SKPathEffect.CreateDash([6, 4], 0) };
        canvas.DrawLine(area.Left, area.Bottom, area.Right, area.Top, diagonal);
        Write(canvas, "accuracy", 4, area.Top - 10, 12, SKColors.Black);
        Write(canvas, "mean top probability (confidence)", area.Left + 20, area.Bottom + 34, 12, SKColors.Black);
        Write(canvas, "0", area.Left - 14, area.Bottom + 4, 12, SKColors.Black);
        Write(canvas, "1", area.Left - 14, area.Top + 10, 12, SKColors.Black);
        Write(canvas, "1", area.Right - 4, area.Bottom + 16, 12, SKColors.Black);
        int total = Math.Max(1, calibration.BinsBefore.Sum(b => b.Count));
        void Series(IReadOnlyList<Confidence.ReliabilityBin> bins, SKColor color, string label, float legendY)
        {
            using var paint = new SKPaint { Color = color, StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.Stroke };
            using var dot = new SKPaint { Color = color, IsAntialias = true, Style = SKPaintStyle.Fill };
            using var path = new SKPath();
            bool started = false;
            foreach (var b in bins.Where(b => b.Count > 0))
            {
                float x = area.Left + (float)b.Confidence * area.Width, y = area.Bottom - (float)b.Accuracy * area.Height;
                if (started) path.LineTo(x, y); else path.MoveTo(x, y);
                started = true;
                canvas.DrawCircle(x, y, 2.5f + 6f * MathF.Sqrt(b.Count / (float)total), dot);
            }
            canvas.DrawPath(path, paint);
            Write(canvas, label, area.Left + 8, legendY, 12, color);
        }
        Series(calibration.BinsBefore, new SKColor(0x88, 0x88, 0x88), $"before (ECE {calibration.EceBefore:F3})", area.Top + 16);
        Series(calibration.BinsAfter, TrainColor, $"after, T = {calibration.Temperature:F2} (ECE {calibration.EceAfter:F3})", area.Top + 32);
        return Encode(surface);
    }

    private static void Panel(SKCanvas canvas, SKRect area, string title, IReadOnlyList<EpochMetrics> epochs, int bestEpoch,
        Func<EpochMetrics, double> train, Func<EpochMetrics, double> validation, bool fromZero)
    {
        using var axis = new SKPaint { Color = SKColors.Gray, StrokeWidth = 1, IsAntialias = true, Style = SKPaintStyle.Stroke };
        var values = epochs.SelectMany(e => new[] { train(e), validation(e) }).Where(double.IsFinite).ToList();
        double lo = fromZero ? 0 : Math.Min(values.DefaultIfEmpty(0).Min(), 1), hi = Math.Max(values.DefaultIfEmpty(1).Max(), lo + 1e-6);
        int count = Math.Max(2, epochs.Count);
        float X(int epoch) => area.Left + (epoch - 1) * area.Width / (count - 1);
        float Y(double v) => area.Bottom - (float)((v - lo) / (hi - lo)) * area.Height;
        canvas.DrawRect(area, axis);
        Write(canvas, title, area.Left, area.Top - 10, 12, SKColors.Black);
        Write(canvas, hi.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture), area.Left - 45, area.Top + 10, 12, SKColors.Black);
        Write(canvas, lo.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture), area.Left - 45, area.Bottom, 12, SKColors.Black);
        Write(canvas, "epoch", area.MidX - 15, area.Bottom + 34, 12, SKColors.Black);
        // Epoch ticks at a round step that leaves room for their numbers (about 40 px each).
        int step = new[] { 1, 2, 5, 10, 20, 25, 50, 100, 200, 500 }.First(s => count / s * 40f <= area.Width || s == 500);
        for (int epoch = 1; epoch <= epochs.Count; epoch++)
        {
            if (epoch != 1 && epoch % step != 0) continue;
            canvas.DrawLine(X(epoch), area.Bottom, X(epoch), area.Bottom + 5, axis);
            Write(canvas, epoch.ToString(System.Globalization.CultureInfo.InvariantCulture), X(epoch), area.Bottom + 17, 10, SKColors.Black, SKTextAlign.Center);
        }
        if (bestEpoch >= 1)
        {
            using var best = new SKPaint { Color = new SKColor(0, 150, 0, 120), StrokeWidth = 2, PathEffect = SKPathEffect.CreateDash([6, 4], 0) };
            canvas.DrawLine(X(bestEpoch), area.Top, X(bestEpoch), area.Bottom, best);
        }
        Line(canvas, epochs, e => X(e.Epoch), e => Y(train(e)), TrainColor);
        Line(canvas, epochs, e => X(e.Epoch), e => Y(validation(e)), ValidationColor);
        Write(canvas, "train", area.Right - 110, area.Top + 16, 12, TrainColor);
        Write(canvas, "validation", area.Right - 70, area.Top + 16, 12, ValidationColor);
    }

    // SkiaSharp 3 draws text with a font (its size) and a paint (its colour).
    private static void Write(SKCanvas canvas, string text, float x, float y, float size, SKColor color, SKTextAlign align = SKTextAlign.Left)
    {
        using var font = new SKFont { Size = size };
        using var paint = new SKPaint { Color = color, IsAntialias = true };
        canvas.DrawText(text, x, y, align, font, paint);
    }

    private static void Line(SKCanvas canvas, IReadOnlyList<EpochMetrics> epochs, Func<EpochMetrics, float> x, Func<EpochMetrics, float> y, SKColor color)
    {
        using var paint = new SKPaint { Color = color, StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.Stroke };
        using var path = new SKPath();
        bool started = false;
        foreach (var e in epochs)
        {
            float px = x(e), py = y(e);
            if (!float.IsFinite(py)) continue;
            if (started) path.LineTo(px, py); else path.MoveTo(px, py);
            started = true;
            canvas.DrawCircle(px, py, 2.5f, paint);
        }
        canvas.DrawPath(path, paint);
    }

    private static string Short(string s) => s.Length <= 14 ? s : s[..13] + "…";

    private static byte[] Encode(SKSurface surface)
    {
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
