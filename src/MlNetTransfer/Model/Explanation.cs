namespace MlNetTransfer.Model;

/// <summary>
/// A prediction and where the model looked for it (Grad-CAM). <see cref="Heatmap"/> is a coarse grid over the image
/// as the network saw it (after its resize and centre crop), one value per cell of the backbone's last convolutional
/// map, row by row from the top left, 0..1 with 1 at the hottest; <see cref="OverlayPng"/> is that view with the
/// heatmap laid over it.
/// </summary>
public sealed record Explanation(Prediction Prediction, int HeatmapWidth, int HeatmapHeight, IReadOnlyList<float> Heatmap, byte[] OverlayPng)
{
    /// <summary>
    /// The hottest cell's centre, as fractions (0..1) of the network's view's width and height; null when no cell is
    /// above zero (no part of the image spoke for the predicted class more than the average did).
    /// </summary>
    public (double X, double Y)? Peak
    {
        get
        {
            int best = 0;
            for (int i = 1; i < Heatmap.Count; i++)
                if (Heatmap[i] > Heatmap[best]) best = i;
            return Heatmap[best] > 0 ? ((best % HeatmapWidth + 0.5) / HeatmapWidth, (best / HeatmapWidth + 0.5) / HeatmapHeight) : null;
        }
    }
}
