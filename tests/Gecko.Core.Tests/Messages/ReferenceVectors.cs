using System.Text.Json;

namespace Gecko.Core.Tests.Messages;

/// <summary>The reference payloads pygecko 1.3's packer wrote (copied from the project's shared vectors).</summary>
public static class ReferenceVectors
{
    public sealed record Vector(string Name, int? Id, byte[] Bytes, JsonElement Fields);

    private static readonly Lazy<IReadOnlyDictionary<string, Vector>> All = new(Load);

    public static Vector Get(string name) => All.Value[name];

    public static IEnumerable<string> Names => All.Value.Keys;

    private static IReadOnlyDictionary<string, Vector> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "vectors", "pygecko-msgpack.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var result = new Dictionary<string, Vector>();
        foreach (var message in document.RootElement.GetProperty("messages").EnumerateArray())
        {
            var name = message.GetProperty("name").GetString()!;
            var id = message.GetProperty("id").ValueKind == JsonValueKind.Number ? message.GetProperty("id").GetInt32() : (int?)null;
            result[name] = new Vector(name, id, Convert.FromHexString(message.GetProperty("hex").GetString()!), message.GetProperty("fields").Clone());
        }
        return result;
    }
}
