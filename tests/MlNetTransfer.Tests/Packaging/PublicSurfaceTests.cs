using System.IO.Compression;
using System.Reflection;
using System.Text;
using MlNetTransfer.Tests.Support;

namespace MlNetTransfer.Tests.Packaging;

/// <summary>
/// The library's public surface stays what apps use (the scripting API, its settings, reports and events, model
/// loading, the predictors, the ML.NET-style estimator); everything else is internal. Nested public types count.
/// </summary>
public class PublicSurfaceTests
{
    private const int MaxPublicTypes = 55; // 49 after the redesign; new public types are new things an app sees (a served model, an explanation)
    private static readonly Assembly Library = typeof(ImageClassifier).Assembly;

    [Fact]
    public void AtMostFiftyFivePublicTypes()
    {
        var exported = Library.GetExportedTypes();
        Assert.True(exported.Length <= MaxPublicTypes,
            $"{exported.Length} public types (at most {MaxPublicTypes}):\n{string.Join("\n", exported.Select(t => t.FullName).Order())}");
    }

    [Fact]
    public void NoPublicSignatureMentionsSkiaSharp()
    {
        var offenders = PublicSignatures().Where(s => s.Types.Any(MentionsSkia)).Select(s => s.Member).ToList();
        Assert.True(offenders.Count == 0, "SkiaSharp in the public API: " + string.Join(", ", offenders));
    }

    [Fact]
    public void NoPublicStaticArray()
    {
        // A public static array (readonly or not) can be changed by any caller, for every other caller.
        const BindingFlags statics = BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var arrays = Library.GetExportedTypes()
            .SelectMany(t => t.GetFields(statics).Select(f => (Type: t, Member: (MemberInfo)f, Of: f.FieldType))
                .Concat(t.GetProperties(statics).Select(p => (Type: t, Member: (MemberInfo)p, Of: p.PropertyType))))
            .Where(m => m.Of.IsArray)
            .Select(m => $"{m.Type.FullName}.{m.Member.Name}").ToList();
        Assert.True(arrays.Count == 0, "Public static arrays: " + string.Join(", ", arrays));
    }

    [Fact]
    public void OnePublicEarlyStopping()
    {
        var named = Library.GetExportedTypes().Where(t => t.Name == "EarlyStopping").ToList();
        Assert.Single(named);
    }

    [Fact]
    public void TheLibrarysUserErrorsShareOneBaseType()
    {
        Assert.True(typeof(MlNetTransfer.Data.DatasetException).IsSubclassOf(typeof(MlNetTransferException)));
        Assert.True(typeof(MlNetTransfer.Model.ModelLoadException).IsSubclassOf(typeof(MlNetTransferException)));
    }

    // The packed library carries no test hook: the pause points of IO/TestPausePoint.cs (read from the environment
    // variable MLNETTRANSFER_TEST_PAUSE) are compiled in only by the TestHooks configuration.
    [Fact]
    [Trait("Category", "Slow")]
    public void ThePackedLibraryHasNoTestPausePoints()
    {
        using var zip = ZipFile.OpenRead(LocalFeed.Library);
        using var dll = new MemoryStream();
        using (var entry = zip.GetEntry("lib/net10.0/MlNetTransfer.dll")!.Open()) entry.CopyTo(dll);
        var bytes = dll.ToArray();
        Assert.True(Contains(bytes, Encoding.Unicode.GetBytes("MLNETTRANSFER_CACHE")), "the search finds a string literal the library has");
        Assert.False(Contains(bytes, Encoding.Unicode.GetBytes("MLNETTRANSFER_TEST_PAUSE")));
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private static IEnumerable<(string Member, IEnumerable<Type> Types)> PublicSignatures()
    {
        const BindingFlags members = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in Library.GetExportedTypes())
        {
            yield return (type.FullName!, new[] { type.BaseType }.Concat(type.GetInterfaces()).OfType<Type>());
            foreach (var member in type.GetMembers(members))
            {
                string name = $"{type.FullName}.{member.Name}";
                switch (member)
                {
                    case FieldInfo f when f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly:
                        yield return (name, [f.FieldType]);
                        break;
                    case PropertyInfo p when p.GetMethod is { } get && (get.IsPublic || get.IsFamily || get.IsFamilyOrAssembly)
                                            || p.SetMethod is { } set && (set.IsPublic || set.IsFamily || set.IsFamilyOrAssembly):
                        yield return (name, [p.PropertyType, .. p.GetIndexParameters().Select(i => i.ParameterType)]);
                        break;
                    case MethodBase m when m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly:
                        yield return (name, [.. m is MethodInfo mi ? [mi.ReturnType] : Array.Empty<Type>(), .. m.GetParameters().Select(p => p.ParameterType)]);
                        break;
                    case EventInfo e when e.AddMethod is { } add && (add.IsPublic || add.IsFamily):
                        yield return (name, [e.EventHandlerType!]);
                        break;
                }
            }
        }
    }

    private static bool MentionsSkia(Type type)
    {
        if (type.HasElementType) return MentionsSkia(type.GetElementType()!);
        if (type.IsGenericParameter) return false;
        if (type.Namespace?.StartsWith("SkiaSharp", StringComparison.Ordinal) == true) return true;
        return type.IsGenericType && type.GetGenericArguments().Any(MentionsSkia);
    }
}
