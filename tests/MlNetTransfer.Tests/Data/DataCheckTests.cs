using MlNetTransfer.Data;

namespace MlNetTransfer.Tests.Data;

public class DataCheckTests
{
    // Two tight clusters of 20 images each, then one of each kind of finding planted among them.
    [Fact]
    public void FindsDuplicatesLeaksMislabelledImagesAndOutliers()
    {
        var random = new Random(4);
        float[] Near(float[] centre, double noise) => centre.Select(v => v + (float)((random.NextDouble() - 0.5) * noise)).ToArray();
        var centreA = Enumerable.Range(0, 32).Select(k => k < 16 ? 1f : 0f).ToArray();
        var centreB = Enumerable.Range(0, 32).Select(k => k < 16 ? 0f : 1f).ToArray();
        var images = new List<CheckedImage>();
        for (int i = 0; i < 20; i++) images.Add(new CheckedImage($"a{i}.jpg", 0, i >= 16, Near(centreA, 0.6)));
        for (int i = 0; i < 20; i++) images.Add(new CheckedImage($"b{i}.jpg", 1, i >= 16, Near(centreB, 0.6)));
        images.Add(new CheckedImage("a0-copy.jpg", 0, true, images[0].Features));                 // identical, in validation
        images.Add(new CheckedImage("filed-as-a.jpg", 0, false, Near(centreB, 0.6)));              // looks like b
        var odd = Enumerable.Range(0, 32).Select(k => k % 2 == 0 ? 1f : -1f).ToArray();
        images.Add(new CheckedImage("placeholder.gif", 0, false, odd));                           // like neither

        var report = DataCheck.Run(images, ["a", "b"]);

        var copy = Assert.Single(report.Duplicates, p => p.Second == "a0-copy.jpg");
        Assert.True(copy.Exact);
        Assert.Contains(report.TrainValidationLeaks, p => p.First == "a0.jpg" && p.Second == "a0-copy.jpg");
        var suspect = Assert.Single(report.LikelyMislabelled);
        Assert.Equal(("filed-as-a.jpg", "a", "b"), (suspect.Path, suspect.Label, suspect.NeighboursLabel));
        Assert.Equal("placeholder.gif", Assert.Single(report.Outliers).Path);
    }

    // 60 near copies of one picture: 1,770 pairs. The report lists the most similar 1,000 and counts them all.
    [Fact]
    public void ManyNearCopiesAreCountedAndTheMostSimilarListed()
    {
        var random = new Random(2);
        var centre = Enumerable.Range(0, 32).Select(k => (float)random.NextDouble()).ToArray();
        var images = Enumerable.Range(0, 60).Select(i => new CheckedImage($"copy{i}.jpg", i % 2, i % 3 == 0,
            centre.Select(v => v + (float)(random.NextDouble() * 0.01)).ToArray())).ToList();

        var report = DataCheck.Run(images, ["a", "b"]);

        Assert.Equal(60 * 59 / 2, report.DuplicateCount);
        Assert.Equal(DataCheck.MaxListedPairs, report.Duplicates.Count);
        Assert.Equal(20 * 40, report.TrainValidationLeakCount);
        Assert.Equal(800, report.TrainValidationLeaks.Count);
        Assert.True(report.Duplicates.Zip(report.Duplicates.Skip(1)).All(p => p.First.Similarity >= p.Second.Similarity));
    }
}
