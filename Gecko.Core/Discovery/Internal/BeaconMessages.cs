using System.Text.Json;
using Gecko.Core.Wire;

namespace Gecko.Core.Discovery.Internal;

/// <summary>
/// The beacon's datagrams (DESIGN.md "Beacon"): a JSON request <c>{"key", "service": "GeckoCore", "pid", "name"}</c>
/// multicast to the group, and a JSON reply <c>{"in_addr", "out_addr"}</c> sent back to the asker. Gecko's replies
/// also carry <c>"key"</c> and <c>"pid"</c>, which other readers ignore. Datagrams come from the network: anything
/// that is not exactly this is refused, never thrown.
/// </summary>
internal static class BeaconMessages
{
    /// <summary>The service name a hub answers to.</summary>
    public const string Service = "GeckoCore";

    /// <summary>The largest datagram read or written; a key is at most <see cref="MaxKeyLength"/> characters, so real
    /// requests are far smaller.</summary>
    public const int MaxDatagramSize = 1024;

    /// <summary>The longest key.</summary>
    public const int MaxKeyLength = 255;

    private const int MaxNameLength = 255;

    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 2 };

    public sealed record Request(string Key, int? Pid, string? Name);

    public sealed record Reply(string InAddress, string OutAddress, string? Key, int? Pid);

    public static byte[] EncodeRequest(string key, int pid, string name)
    {
        if (name.Length > MaxNameLength) name = name[..MaxNameLength];
        return JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["key"] = key,
            ["service"] = Service,
            ["pid"] = pid,
            ["name"] = name,
        });
    }

    public static byte[] EncodeReply(string inAddress, string outAddress, string key, int pid) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["in_addr"] = inAddress,
            ["out_addr"] = outAddress,
            ["key"] = key,
            ["pid"] = pid,
        });

    /// <summary>Reads a look-up; false (with why) for anything that is not one.</summary>
    public static bool TryParseRequest(ReadOnlyMemory<byte> datagram, out Request? request, out string? reason)
    {
        request = null;
        if (!TryParseObject(datagram, out var document, out reason)) return false;
        using (document)
        {
            var root = document!.RootElement;
            if (GetString(root, "service") != Service)
            {
                reason = "not a GeckoCore look-up (no \"service\": \"GeckoCore\")";
                return false;
            }
            var key = GetString(root, "key");
            if (string.IsNullOrWhiteSpace(key) || key.Length > MaxKeyLength)
            {
                reason = $"the key is missing, empty or longer than {MaxKeyLength} characters";
                return false;
            }
            var name = GetString(root, "name");
            request = new Request(key, GetInt(root, "pid"), name is { Length: > MaxNameLength } ? name[..MaxNameLength] : name);
            return true;
        }
    }

    /// <summary>Reads an answer; false (with why) for anything that is not one with two valid endpoints.</summary>
    public static bool TryParseReply(ReadOnlyMemory<byte> datagram, out Reply? reply, out string? reason)
    {
        reply = null;
        if (!TryParseObject(datagram, out var document, out reason)) return false;
        using (document)
        {
            var root = document!.RootElement;
            var inAddress = GetString(root, "in_addr");
            var outAddress = GetString(root, "out_addr");
            try
            {
                Endpoint.Validate(inAddress, "in_addr");
                Endpoint.Validate(outAddress, "out_addr");
            }
            catch (GeckoConfigurationException e)
            {
                reason = e.Message;
                return false;
            }
            reply = new Reply(inAddress!, outAddress!, GetString(root, "key"), GetInt(root, "pid"));
            return true;
        }
    }

    private static bool TryParseObject(ReadOnlyMemory<byte> datagram, out JsonDocument? document, out string? reason)
    {
        document = null;
        if (datagram.Length is 0 or > MaxDatagramSize)
        {
            reason = $"{datagram.Length} bytes (a look-up has 1 to {MaxDatagramSize})";
            return false;
        }
        try
        {
            document = JsonDocument.Parse(datagram, ParseOptions);
        }
        catch (JsonException e)
        {
            reason = $"not JSON ({e.Message})";
            return false;
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            reason = $"a JSON {document.RootElement.ValueKind}, not an object";
            document.Dispose();
            document = null;
            return false;
        }
        reason = null;
        return true;
    }

    private static string? GetString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String) return null;
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            // Not valid UTF-8: as good as absent.
            return null;
        }
    }

    private static int? GetInt(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;
}
