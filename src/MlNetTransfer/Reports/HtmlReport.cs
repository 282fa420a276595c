using System.Globalization;
using System.Net;
using System.Text;
using SkiaSharp;
using MlNetTransfer.Model;
using MlNetTransfer.Training;

namespace MlNetTransfer.Reports;

/// <summary>
/// One self-contained HTML page (charts and thumbnails embedded as data URIs) for a training run or an evaluation:
/// learning curves, confusion matrix, per-class precision/recall/F1, and the most confidently wrong images.
/// </summary>
public static class HtmlReport
{
    public const string FileName = "report.html";
    public const string CurvesPng = "learning-curves.png";
    public const string ConfusionPng = "confusion-matrix.png";

    /// <summary>Writes report.html and the chart PNGs into <paramref name="folder"/>; returns the report's path.</summary>
    /// <param name="epochs">The training history, or null for an evaluation.</param>
    public static string Write(string folder, string title, EvaluationReport evaluation, IReadOnlyList<EpochMetrics>? epochs = null, int bestEpoch = 0, int wrongShown = 12)
    {
        Directory.CreateDirectory(folder);
        var inv = CultureInfo.InvariantCulture;
        var html = new StringBuilder();
        html.Append($"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{Esc(title)}</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0}")
            .Append("td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}")
            .Append(".wrong{display:inline-block;margin:6px;text-align:center;font-size:12px;width:140px;vertical-align:top;overflow-wrap:anywhere}")
            .Append(".wrong img{width:128px;height:128px;object-fit:cover;border:2px solid #c33}</style></head><body>");
        html.Append($"<h1>{Esc(title)}</h1>");
        html.Append(string.Format(inv, "<p>Accuracy <b>{0:F4}</b> on {1} images ({2} classes){3}.</p>",
            evaluation.Accuracy, evaluation.Count, evaluation.Classes.Count, bestEpoch > 0 ? $"; best epoch {bestEpoch} of {epochs!.Count}" : ""));

        if (epochs is { Count: > 0 })
        {
            var curves = Charts.LearningCurves(epochs, bestEpoch);
            AtomicFile.Write(Path.Combine(folder, CurvesPng), curves);
            html.Append("<h2>Learning curves</h2>").Append(Img(curves, "image/png", "learning curves"));
        }

        var confusion = Charts.ConfusionMatrix(evaluation.Classes, evaluation.ConfusionMatrix);
        AtomicFile.Write(Path.Combine(folder, ConfusionPng), confusion);
        html.Append("<h2>Confusion matrix</h2>").Append(Img(confusion, "image/png", "confusion matrix"));
        html.Append("<table><tr><th class=l>actual \\ predicted</th>");
        foreach (var c in evaluation.Classes) html.Append($"<th>{Esc(c)}</th>");
        html.Append("</tr>");
        for (int a = 0; a < evaluation.Classes.Count; a++)
        {
            html.Append($"<tr><th class=l>{Esc(evaluation.Classes[a])}</th>");
            foreach (var v in evaluation.ConfusionMatrix[a]) html.Append($"<td>{v}</td>");
            html.Append("</tr>");
        }
        html.Append("</table>");

        html.Append("<h2>Per class</h2><table><tr><th class=l>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>");
        foreach (var c in evaluation.PerClass)
            html.Append(string.Format(inv, "<tr><td class=l>{0}</td><td>{1:F4}</td><td>{2:F4}</td><td>{3:F4}</td><td>{4}</td></tr>", Esc(c.Class), c.Precision, c.Recall, c.F1, c.Support));
        html.Append("</table>");

        var wrong = evaluation.Predictions
            .Where(p => p.Prediction.PredictedLabel != evaluation.Classes[p.Image.Label])
            .OrderByDescending(p => p.Prediction.Confidence).Take(wrongShown).ToList();
        html.Append($"<h2>Most confidently wrong ({wrong.Count})</h2><div id=wrong>");
        foreach (var (image, prediction) in wrong)
        {
            string thumb = Thumbnail(image.Path) is { } jpeg ? Img(jpeg, "image/jpeg", Path.GetFileName(image.Path)) : "<div>(unreadable)</div>";
            html.Append(string.Format(inv, "<div class=wrong>{0}<br>{1}<br>true: <b>{2}</b><br>predicted: <b>{3}</b> ({4:F3})</div>",
                thumb, Esc(Path.GetFileName(image.Path)), Esc(evaluation.Classes[image.Label]), Esc(prediction.PredictedLabel), prediction.Confidence));
        }
        html.Append("</div>");

        if (evaluation.Skipped.Count > 0)
        {
            html.Append($"<h2>Skipped ({evaluation.Skipped.Count})</h2><table><tr><th class=l>file</th><th class=l>reason</th></tr>");
            foreach (var s in evaluation.Skipped) html.Append($"<tr><td class=l>{Esc(s.Path)}</td><td class=l>{Esc(s.Reason)}</td></tr>");
            html.Append("</table>");
        }
        html.Append("</body></html>");
        string path = Path.Combine(folder, FileName);
        AtomicFile.WriteText(path, html.ToString());
        return path;
    }

    private static string Img(byte[] bytes, string type, string alt) =>
        $"<img alt=\"{Esc(alt)}\" src=\"data:{type};base64,{Convert.ToBase64String(bytes)}\">";

    private static byte[]? Thumbnail(string path, int side = 128)
    {
        try
        {
            using var original = SKBitmap.Decode(path);
            if (original is null) return null;
            float scale = (float)side / Math.Min(original.Width, original.Height);
            var info = new SKImageInfo(Math.Max(1, (int)(original.Width * scale)), Math.Max(1, (int)(original.Height * scale)));
            using var resized = original.Resize(info, SKFilterQuality.Medium);
            using var image = SKImage.FromBitmap(resized);
            using var data = image.Encode(SKEncodedImageFormat.Jpeg, 80);
            return data.ToArray();
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            return null;
        }
    }

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
