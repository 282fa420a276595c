using System.Reflection;

namespace MlNetTransfer.IO;

/// <summary>The release of a package the tool runs on, read from its assembly (never written by hand).</summary>
internal static class PackageVersion
{
    /// <summary>The informational version of <paramref name="type"/>'s assembly without its commit suffix, e.g. "5.0.1".</summary>
    public static string Of(Type type)
    {
        var assembly = type.Assembly;
        return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? assembly.GetName().Version?.ToString(3) ?? "unknown";
    }
}
