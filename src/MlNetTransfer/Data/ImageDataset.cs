using System.IO.Enumeration;

namespace MlNetTransfer.Data;

/// <summary>
/// A labelled image set: one sub-folder per class, split for training and validation. A <c>train/</c> plus <c>val/</c>
/// (or <c>valid/</c>, <c>validation/</c>) pair is taken as the split; otherwise a seeded split, stratified by class,
/// is made (of <c>train/</c> when there is one). A <c>test/</c> folder beside <c>train/</c> is kept apart.
/// </summary>
internal sealed class ImageDataset
{
    /// <summary>File extensions read as images (case-insensitive).</summary>
    public static readonly IReadOnlySet<string> ImageExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp" };

    /// <summary>
    /// Photo formats the decoder cannot read (HEIC is what iPhones save by default). Scanned all the same, so that
    /// each is reported as skipped with the reason (<see cref="ImageCheck"/>) instead of vanishing from the data set.
    /// Any other file is ignored.
    /// </summary>
    private static readonly IReadOnlySet<string> UnreadablePhotoExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".heic", ".heif", ".avif", ".tif", ".tiff" };

    /// <summary>Share of each class held out for validation when the data has no validation images of its own.</summary>
    public const double DefaultValidationFraction = 0.2;

    private static readonly string[] ValidationFolderNames = ["val", "valid", "validation"];

    private ImageDataset(string root, IReadOnlyList<string> classes, IReadOnlyList<LabelledImage> train, IReadOnlyList<LabelledImage> validation, bool presplit,
        IReadOnlyList<LabelledImage>? test = null)
    {
        Test = test ?? [];
        Root = root;
        Classes = classes;
        Train = train;
        Validation = validation;
        HasOwnSplit = presplit;
    }

    public string Root { get; }

    /// <summary>Class names, sorted ordinally; a label is an index into this list.</summary>
    public IReadOnlyList<string> Classes { get; }
    public IReadOnlyList<LabelledImage> Train { get; }
    public IReadOnlyList<LabelledImage> Validation { get; }

    /// <summary>Images of a <c>test/</c> folder beside <c>train/</c>: evaluated once, after training, and reported apart.</summary>
    public IReadOnlyList<LabelledImage> Test { get; }

    /// <summary>True when the validation images were given (a <c>val/</c> folder, or the estimator's validation data), not split off.</summary>
    public bool HasOwnSplit { get; }

    /// <summary>
    /// Scans <paramref name="root"/> and splits it. A <c>train/</c> folder beside <c>val/</c> (or <c>valid/</c>,
    /// <c>validation/</c>) is the split; a <c>train/</c> folder without one is split for validation as a plain folder
    /// is. A <c>test/</c> folder beside <c>train/</c> is read apart, for one evaluation after training.
    /// </summary>
    /// <exception cref="DatasetException">The folder is missing, has fewer than two classes, or a class has no image files.</exception>
    public static ImageDataset Load(string root, double validationFraction = DefaultValidationFraction, int seed = 0)
    {
        CheckFraction(validationFraction); // a setting: said before the folder
        if (string.IsNullOrWhiteSpace(root))
            throw new DatasetException($"No data folder given ({nameof(TrainSettings.DataFolder)} is empty).");
        if (!Directory.Exists(root))
            throw new DatasetException($"Data folder not found: {root}");

        string? trainDir = FindChild(root, ["train"]);
        string? valDir = FindChild(root, ValidationFolderNames);
        string? testDir = FindChild(root, ["test"]);
        if (trainDir is null)
        {
            var files = ScanClasses(root);
            CheckClasses(root, files);
            var names = files.Keys.Order(StringComparer.Ordinal).ToList();
            var (train, validation) = StratifiedSplit(Label(files, names), names, validationFraction, seed);
            return new ImageDataset(root, names, train, validation, presplit: false);
        }

        var trainFiles = ScanClasses(trainDir);
        CheckClasses(trainDir, trainFiles);
        var classes = trainFiles.Keys.Order(StringComparer.Ordinal).ToList();
        var (trainImages, validationImages) = valDir is null
            ? StratifiedSplit(Label(trainFiles, classes), classes, validationFraction, seed)
            : (Label(trainFiles, classes), Label(ScanKnownClasses(valDir, "validation", trainFiles), classes));
        var test = testDir is null ? null : Label(ScanKnownClasses(testDir, "test", trainFiles), classes);
        return new ImageDataset(root, classes, trainImages, validationImages, presplit: valDir is not null, test);
    }

    /// <summary>
    /// A data set of images already in hand (for example rows of an ML.NET data view): <paramref name="validation"/>
    /// when given, else a seeded split of <paramref name="images"/>, stratified by class, as for a folder.
    /// </summary>
    /// <exception cref="DatasetException">Fewer than two classes have images.</exception>
    public static ImageDataset FromImages(IReadOnlyList<string> classes, IReadOnlyList<LabelledImage> images, IReadOnlyList<LabelledImage>? validation,
        double validationFraction = DefaultValidationFraction, int seed = 0)
    {
        CheckFraction(validationFraction);
        int present = images.Select(i => i.Label).Distinct().Count();
        if (present < 2)
            throw new DatasetException($"At least 2 classes with images are needed; found {present}.");
        var (train, held) = validation is null
            ? StratifiedSplit(images, classes, validationFraction, seed)
            : (images.ToList(), validation.ToList());
        return new ImageDataset("", classes, train, held, presplit: validation is not null);
    }

    /// <summary>Every image of a labelled folder (one sub-folder per class), with no split: for evaluation.</summary>
    /// <exception cref="DatasetException">The folder is missing or has no class sub-folders.</exception>
    public static IReadOnlyDictionary<string, List<string>> ScanLabelledFolder(string root)
    {
        if (!Directory.Exists(root))
            throw new DatasetException($"Data folder not found: {root}");
        var files = ScanClasses(root);
        if (files.Count == 0)
            throw new DatasetException($"{root} has no class sub-folders (expected one sub-folder per class).");
        return files;
    }

    private static (List<LabelledImage>, List<LabelledImage>) StratifiedSplit(IReadOnlyList<LabelledImage> images, IReadOnlyList<string> classes, double fraction, int seed)
    {
        // Photos in a format that cannot be read take no share of validation (a class could be left with none usable);
        // they stay with training, whose extraction lists them as skipped. Files (paths) of a data view's rows are all taken.
        var unreadable = images.Where(i => i.Row is null && IsUnreadablePhoto(i.Path)).ToHashSet();
        images = images.Where(i => !unreadable.Contains(i)).ToList();
        var train = new List<LabelledImage>(unreadable.OrderBy(i => i.Path, StringComparer.Ordinal));
        var validation = new List<LabelledImage>();
        for (int label = 0; label < classes.Count; label++)
        {
            // A per-class generator keeps one class's split unchanged when another class gains images.
            var random = new Random(unchecked(seed * 486187739 + StableHash(classes[label])));
            var members = images.Where(i => i.Label == label).ToArray();
            random.Shuffle(members);
            int validationCount = members.Length < 2 ? 0 : Math.Clamp((int)Math.Round(members.Length * fraction), 1, members.Length - 1);
            validation.AddRange(members.Take(validationCount).OrderBy(i => i.Path, StringComparer.Ordinal));
            train.AddRange(members.Skip(validationCount).OrderBy(i => i.Path, StringComparer.Ordinal));
        }
        return (train, validation);
    }

    private static void CheckFraction(double validationFraction)
    {
        if (!(validationFraction is > 0 and < 1)) // NaN too
            throw new MlNetTransferException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"The validation fraction ({nameof(TrainSettings.ValidationFraction)}) must be between 0 and 1 (exclusive), not {validationFraction}."), nameof(TrainSettings.ValidationFraction));
    }

    // A validation or test folder's classes must be training classes.
    private static Dictionary<string, List<string>> ScanKnownClasses(string folder, string role, Dictionary<string, List<string>> trainFiles)
    {
        var files = ScanClasses(folder);
        var unknown = files.Keys.Where(c => !trainFiles.ContainsKey(c)).ToList();
        if (unknown.Count > 0)
            throw new DatasetException($"The {role} folder {folder} has classes that training lacks: {string.Join(", ", unknown)}.");
        return files;
    }

    private static int StableHash(string s)
    {
        unchecked
        {
            int h = 17;
            foreach (char c in s) h = h * 31 + c;
            return h;
        }
    }

    private static List<LabelledImage> Label(Dictionary<string, List<string>> files, IReadOnlyList<string> classes) =>
        classes.Where(files.ContainsKey)
            .SelectMany(c => files[c].Select(p => new LabelledImage(p, IndexOf(classes, c))))
            .ToList();

    private static int IndexOf(IReadOnlyList<string> classes, string name)
    {
        for (int i = 0; i < classes.Count; i++)
            if (classes[i] == name) return i;
        return -1;
    }

    private static void CheckClasses(string folder, Dictionary<string, List<string>> files)
    {
        if (files.Count < 2)
            throw new DatasetException($"{folder} needs at least 2 class sub-folders with images; found {files.Count}{(files.Count == 1 ? $" ('{files.Keys.First()}')" : "")}.");
        var empty = files.Where(kv => !kv.Value.Any(IsReadable)).Select(kv => kv.Key).ToList();
        if (empty.Count > 0)
        {
            var unreadable = empty.SelectMany(c => files[c]).GroupBy(p => Path.GetExtension(p).ToLowerInvariant())
                .Select(g => $"{g.Count()} {g.Key}").ToList();
            throw new DatasetException($"Class folder(s) with no image files in {folder}: {string.Join(", ", empty)}. Supported: {string.Join(" ", ImageExtensions)}" +
                (unreadable.Count > 0 ? $"; found only files of formats not read here ({string.Join(", ", unreadable)}): convert them to JPEG or PNG." : "."));
        }
    }

    private static string? FindChild(string root, string[] names) =>
        Directory.EnumerateDirectories(root)
            .FirstOrDefault(d => names.Contains(Path.GetFileName(d), StringComparer.OrdinalIgnoreCase));

    /// <summary>Class name → image files (sorted), for each non-hidden sub-folder of <paramref name="folder"/>.</summary>
    private static Dictionary<string, List<string>> ScanClasses(string folder)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var dir in Directory.EnumerateDirectories(folder))
        {
            string name = Path.GetFileName(dir);
            if (IsHiddenOrMetadata(name)) continue;
            result[name] = ImageFilesUnder(dir);
        }
        return result;
    }

    // Folders that are never photos of a class: hidden ones, macOS's zip metadata (__MACOSX, "._" copies of each file)
    // and a Synology NAS's thumbnails (@eaDir, real JPEGs of every photo, which would train as duplicates).
    private static bool IsHiddenOrMetadata(string folderName) => folderName.StartsWith('.') || folderName is "__MACOSX" or "@eaDir";

    private static bool IsReadable(string path) => ImageExtensions.Contains(Path.GetExtension(path));

    private static bool IsUnreadablePhoto(string path) => UnreadablePhotoExtensions.Contains(Path.GetExtension(path));

    /// <summary>
    /// Image files under <paramref name="dir"/> (photo formats that cannot be read included, to be reported), recursively.
    /// Linked files are read; folder links are not followed (a link loop cannot hang the scan).
    /// </summary>
    public static List<string> ImageFilesUnder(string dir)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
            ReturnSpecialDirectories = false,
        };
        // Paths as Directory.EnumerateFiles gives them: under dir as the caller wrote it (a relative one stays relative).
        var files = new FileSystemEnumerable<string>(dir, (ref FileSystemEntry e) => e.ToSpecifiedFullPath(), options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory && IsImageFile(e.FileName.ToString()),
            ShouldRecursePredicate = (ref FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0 && !IsHiddenOrMetadata(e.FileName.ToString()),
        };
        return files.Order(StringComparer.Ordinal).ToList();
    }

    private static bool IsImageFile(string name) =>
        !name.StartsWith('.') && (IsReadable(name) || IsUnreadablePhoto(name));
}
