namespace MlNetTransfer.Cli;

/// <summary>Finds the sample data set (data/sample in the repository) from the current folder or the program's folder.</summary>
internal static class SampleData
{
    public const string RelativePath = "data/sample";

    public static string? Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, RelativePath);
                if (Directory.Exists(candidate)) return candidate;
            }
        return null;
    }
}
