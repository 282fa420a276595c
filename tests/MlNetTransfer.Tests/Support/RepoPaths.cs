namespace MlNetTransfer.Tests.Support;

public static class RepoPaths
{
    /// <summary>The repository root (the folder holding TransferML.sln), found from the test's output folder.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TransferML.sln")))
                return dir.FullName;
        throw new InvalidOperationException("TransferML.sln not found above " + AppContext.BaseDirectory);
    }
}
