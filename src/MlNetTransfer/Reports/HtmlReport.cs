using System.Globalization;
using System.Net;
using System.Text;
using MlNetTransfer.Data;
using MlNetTransfer.IO;
using MlNetTransfer.Model;
using MlNetTransfer.Training;

namespace MlNetTransfer.Reports;

/// <summary>
/// One self-contained HTML page (charts and thumbnails embedded as data URIs) for a training run or an evaluation:
/// learning curves, confusion matrix, the data check's findings, per-class precision/recall/F1, and the most
/// confidently wrong images.
/// </summary>
internal static class HtmlReport
{
    public const string FileName = "report.html";
    public const string CurvesPng = "learning-curves.png";
    public const string ConfusionPng = "confusion-matrix.png";
    public const string ReliabilityPng = "reliability.png";

    /// <summary>Writes report.html and the chart PNGs into <paramref name="folder"/>; returns the report's path.</summary>
    /// <param name="epochs">The training history, or null for an evaluation.</param>
    /// <param name="dataCheck">What the data check found before training, or null for an evaluation.</param>
    /// <param name="modelPath">The model that made the predictions: the wrong ones are shown with where it looked.</param>
    public static string Write(string folder, string title, EvaluationReport evaluation, IReadOnlyList<EpochMetrics>? epochs = null, int bestEpoch = 0,
        DataCheckReport? dataCheck = null, string? view = null, int wrongShown = 12, Confidence.CalibrationReport? calibration = null, string? modelPath = null)
    {
        Directory.CreateDirectory(folder);
        var inv = CultureInfo.InvariantCulture;
        var html = new StringBuilder();
        html.Append($"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{Esc(title)}</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0}")
            .Append("td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}")
            .Append(".side{display:flex;flex-wrap:wrap;gap:32px;align-items:flex-start}.side>div{min-width:380px;max-width:760px}")
            .Append(".thumb,.wrong{display:inline-block;margin:6px;text-align:center;font-size:12px;width:140px;vertical-align:top;overflow-wrap:anywhere}")
            .Append(".thumb img,.wrong img{width:128px;height:128px;object-fit:cover;border:2px solid #c33}.pair{display:inline-block;margin:6px;border:1px solid #ddd;padding:4px}")
            .Append("</style></head><body>");
        html.Append($"<h1>{Esc(title)}</h1>");
        html.Append(string.Format(inv, "<p>Accuracy <b>{0:F4}</b> on {1} images ({2} classes){3}.</p>",
            evaluation.Accuracy, evaluation.Count, evaluation.Classes.Count, bestEpoch > 0 ? $"; best epoch {bestEpoch} of {epochs!.Count}" : ""));

        if (view is not null)
            html.Append($"<p id=view>View of the images: {Esc(view)}.</p>");
        if (epochs is { Count: > 0 })
        {
            var curves = Charts.LearningCurves(epochs, bestEpoch);
            AtomicFile.Write(Path.Combine(folder, CurvesPng), curves);
            html.Append("<h2>Learning curves</h2>").Append(Img(curves, "image/png", "learning curves"));
        }

        if (calibration is not null)
        {
            var reliability = Charts.Reliability(calibration);
            AtomicFile.Write(Path.Combine(folder, ReliabilityPng), reliability);
            html.Append("<h2>Calibration</h2><div id=calibration>").Append(string.Format(inv,
                "<p>Expected calibration error on validation (15 bins of the top probability): <b>{0:F4}</b> before, <b>{1:F4}</b> after the temperature {2:F3}{3} (negative log-likelihood {4:F4} → {5:F4}).</p>",
                calibration.EceBefore, calibration.EceAfter, calibration.Temperature, calibration.Skipped is { } why ? $" (kept at 1: {Esc(why)})" : "", calibration.NllBefore, calibration.NllAfter))
                .Append(Img(reliability, "image/png", "reliability diagram")).Append("</div>");
        }

        var confusion = Charts.ConfusionMatrix(evaluation.Classes, evaluation.ConfusionMatrix);
        AtomicFile.Write(Path.Combine(folder, ConfusionPng), confusion);
        html.Append("<div class=side><div><h2>Confusion matrix</h2>").Append(Img(confusion, "image/png", "confusion matrix"));
        AppendConfusionTable(html, evaluation);
        html.Append("</div>");
        if (dataCheck is not null)
            html.Append("<div id=data-check>").Append(DataCheckSection.Html(dataCheck)).Append("</div>");
        html.Append("</div>");

        html.Append("<h2>Per class</h2><table><tr><th class=l>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>");
        foreach (var c in evaluation.PerClass)
            html.Append(string.Format(inv, "<tr><td class=l>{0}</td><td>{1:F4}</td><td>{2:F4}</td><td>{3:F4}</td><td>{4}</td></tr>", Esc(c.Class), c.Precision, c.Recall, c.F1, c.Support));
        html.Append("</table>");

        var wrong = evaluation.Predictions.Where(p => p.PredictedLabel != p.Label).OrderByDescending(p => p.Confidence).Take(wrongShown).ToList();
        html.Append($"<h2>Most confidently wrong ({wrong.Count})</h2>");
        if (wrong.Count > 0 && modelPath is not null)
            html.Append("<p>Beside each image, where the model looked for its answer (Grad-CAM: red is where it looked most, over the part of the image the network sees).</p>");
        html.Append("<div id=wrong>");
        var overlays = WhereItLooked(modelPath, wrong);
        for (int i = 0; i < wrong.Count; i++)
            html.Append(Thumbnail(wrong[i].ImagePath, string.Format(inv, "true: <b>{0}</b><br>predicted: <b>{1}</b> ({2:F3})", Esc(wrong[i].Label ?? ""), Esc(wrong[i].PredictedLabel), wrong[i].Confidence),
                "wrong", overlays[i] is { } overlay ? Img(overlay, "image/png", "where the model looked") : null));
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

    private static void AppendConfusionTable(StringBuilder html, EvaluationReport evaluation)
    {
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
    }

    /// <summary>An image as a 128-pixel thumbnail (and <paramref name="beside"/>, HTML) with its file name and <paramref name="caption"/> (HTML) under it.</summary>
    internal static string Thumbnail(string path, string caption, string cssClass = "thumb", string? beside = null)
    {
        string image = Thumbnails.Jpeg(path) is { } jpeg ? Img(jpeg, "image/jpeg", Path.GetFileName(path)) : "<div>(unreadable)</div>";
        return $"<div class={cssClass}{(beside is null ? "" : " style=\"width:280px\"")}>{image}{beside}<br>{Esc(Path.GetFileName(path))}<br>{caption}</div>";
    }

    // Each prediction's Grad-CAM overlay; null where there is none (no model, a backbone without a convolutional map,
    // an image gone since): the report is written either way.
    private static byte[]?[] WhereItLooked(string? modelPath, IReadOnlyList<Prediction> predictions)
    {
        var overlays = new byte[]?[predictions.Count];
        if (modelPath is null || predictions.Count == 0) return overlays;
        using var explainer = new Explainer(ModelFile.Read(modelPath));
        for (int i = 0; i < predictions.Count; i++)
        {
            try
            {
                overlays[i] = explainer.Explain(predictions[i].ImagePath).OverlayPng;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or MlNetTransferException)
            {
                if (e is MlNetTransferException) break; // the model cannot be explained: no image can
            }
        }
        return overlays;
    }

    private static string Img(byte[] bytes, string type, string alt) =>
        $"<img alt=\"{Esc(alt)}\" src=\"data:{type};base64,{Convert.ToBase64String(bytes)}\">";

    internal static string Esc(string s) => WebUtility.HtmlEncode(s);
}
