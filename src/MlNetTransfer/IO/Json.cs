using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlNetTransfer.IO;

/// <summary>The JSON settings of every file the tool writes: camelCase, indented, enums as strings.</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
