using Akka.Configuration.Hocon;

namespace Gecko.Launch.LaunchFiles.Internal;

/// <summary>What a HOCON value is.</summary>
internal enum HoconKind
{
    /// <summary>Not set, or <c>null</c>.</summary>
    Missing,

    /// <summary>A string, number, boolean or duration.</summary>
    Scalar,

    /// <summary>An array.</summary>
    Array,

    /// <summary>An object.</summary>
    Object,

    /// <summary>An array or object concatenated with other text.</summary>
    Mixed,
}

/// <summary>
/// Reads Akka's HOCON values without its quirks: an empty array <c>[]</c> is not <c>IsArray()</c>, a value followed
/// by spaces and a comment carries a whitespace literal, substitutions hold their value one level down.
/// </summary>
internal static class HoconValues
{
    public static HoconKind Kind(HoconValue? value)
    {
        if (value is null) return HoconKind.Missing;
        if (value.IsObject()) return HoconKind.Object;
        var elements = Elements(value);
        if (elements.Count == 0) return HoconKind.Missing;
        var arrays = elements.Count(e => e is HoconArray);
        if (arrays == 1 && elements.Count == 1) return HoconKind.Array;
        if (arrays > 0 || elements.Any(e => e is HoconObject)) return HoconKind.Mixed;
        return value.GetString() is null ? HoconKind.Missing : HoconKind.Scalar;
    }

    /// <summary>The elements of an array value (<see cref="Kind"/> is <see cref="HoconKind.Array"/>).</summary>
    public static IReadOnlyList<HoconValue> Items(HoconValue value)
    {
        var array = (HoconArray)Elements(value).Single();
        // "[ ]" parses as one empty element.
        return array.Where(v => !v.IsEmpty && Kind(v) != HoconKind.Missing || IsExplicitEmptyString(v)).ToList();
    }

    /// <summary>The fields of an object value, in no particular order.</summary>
    public static IReadOnlyDictionary<string, HoconValue> Fields(HoconValue? value) =>
        value is not null && value.IsObject() ? value.GetObject().Items : new Dictionary<string, HoconValue>();

    /// <summary>A scalar's text, trimmed as Akka does.</summary>
    public static string Text(HoconValue value) => value.GetString() ?? "";

    /// <summary>A short description of what a value is, for "expected X, got Y" messages.</summary>
    public static string Describe(HoconValue? value) => Kind(value) switch
    {
        HoconKind.Missing => "nothing",
        HoconKind.Array => "an array",
        HoconKind.Object => "an object",
        HoconKind.Mixed => "an array or object mixed with text",
        _ => $"\"{Text(value!)}\"",
    };

    private static bool IsExplicitEmptyString(HoconValue value) =>
        value.Values.Count > 0 && value.Values.All(e => e is HoconLiteral { Value: "" });

    // The value's elements, substitutions replaced by what they resolved to, whitespace-only literals dropped.
    private static List<IHoconElement> Elements(HoconValue value)
    {
        var result = new List<IHoconElement>();
        foreach (var element in value.Values)
        {
            switch (element)
            {
                case HoconSubstitution { ResolvedValue: { } resolved }:
                    result.AddRange(Elements(resolved));
                    break;
                case HoconLiteral literal when literal.Value is { Length: > 0 } text && string.IsNullOrWhiteSpace(text):
                    break;
                default:
                    result.Add(element);
                    break;
            }
        }
        return result;
    }
}
