using System.Globalization;
using System.Text;
using MlNetTransfer.Data;
using static MlNetTransfer.Reports.HtmlReport;

namespace MlNetTransfer.Reports;

/// <summary>The report's data check section: what the check found before training, each finding with its images.</summary>
internal static class DataCheckSection
{
    /// <summary>Most findings of each kind shown as thumbnails (the counts include the rest).</summary>
    public const int Shown = 8;

    public static string Html(DataCheckReport check)
    {
        var inv = CultureInfo.InvariantCulture;
        var html = new StringBuilder("<h2>Data check</h2>");
        if (check.Findings == 0)
            return html.Append("<p>No duplicates, train/validation leaks, likely mislabelled images or outliers were found.</p>").ToString();
        html.Append("<p>Found before training, on the backbone's features; nothing was dropped.</p>");

        Heading(html, "Likely mislabelled", check.LikelyMislabelled.Count, "their nearest neighbours all carry another label");
        foreach (var m in check.LikelyMislabelled.Take(Shown))
            html.Append(Thumbnail(m.Path, $"labelled <b>{Esc(m.Label)}</b><br>neighbours: <b>{Esc(m.NeighboursLabel)}</b>"));

        Heading(html, "Outliers", check.Outliers.Count, "far from every class");
        foreach (var o in check.Outliers.Take(Shown))
            html.Append(Thumbnail(o.Path, string.Format(inv, "labelled <b>{0}</b><br>similarity {1:F3}", Esc(o.Label), o.BestClassSimilarity)));

        Heading(html, "In training and validation", check.TrainValidationLeakCount, "validation is not independent of training");
        AppendPairs(html, check.TrainValidationLeaks);

        var plain = check.Duplicates.Except(check.TrainValidationLeaks).ToList();
        Heading(html, "Duplicates", check.DuplicateCount - check.TrainValidationLeakCount, "exact or near copies");
        AppendPairs(html, plain);
        return html.ToString();
    }

    private static void Heading(StringBuilder html, string title, int count, string meaning)
    {
        if (count > 0)
            html.Append($"<h3>{title} ({count})</h3><p>{meaning}{(count > Shown ? $"; the first {Shown} shown" : "")}.</p>");
    }

    private static void AppendPairs(StringBuilder html, IEnumerable<DuplicatePair> pairs)
    {
        foreach (var p in pairs.Take(Shown))
        {
            string how = p.Exact ? "identical" : string.Format(CultureInfo.InvariantCulture, "similarity {0:F3}", p.Similarity);
            html.Append("<div class=pair>").Append(Thumbnail(p.First, how)).Append(Thumbnail(p.Second, how)).Append("</div>");
        }
    }
}
