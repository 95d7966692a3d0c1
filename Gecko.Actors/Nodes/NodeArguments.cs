using System.Collections.Immutable;
using System.Globalization;

namespace Gecko.Actors.Nodes;

/// <summary>A node's arguments, as the host or the launch file gives them: names to string values.</summary>
public sealed class NodeArguments
{
    /// <summary>No arguments.</summary>
    public static readonly NodeArguments Empty = new(ImmutableDictionary<string, string>.Empty);

    private readonly ImmutableDictionary<string, string> _values;

    /// <summary>Creates arguments from <paramref name="values"/>.</summary>
    public NodeArguments(IEnumerable<KeyValuePair<string, string>> values) =>
        _values = values.ToImmutableDictionary(StringComparer.Ordinal);

    /// <summary>All arguments.</summary>
    public IReadOnlyDictionary<string, string> All => _values;

    /// <summary>The argument <paramref name="name"/>, or <paramref name="fallback"/> when absent.</summary>
    public string Get(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    /// <summary>The argument <paramref name="name"/> as a number, or <paramref name="fallback"/> when absent.</summary>
    /// <exception cref="FormatException">The value is not a number; the message names the argument.</exception>
    public double Get(string name, double fallback)
    {
        if (!_values.TryGetValue(name, out var text)) return fallback;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"Node argument '{name}' = '{text}' is not a number.");
    }

    /// <summary>The argument <paramref name="name"/> as an integer, or <paramref name="fallback"/> when absent.</summary>
    /// <exception cref="FormatException">The value is not an integer; the message names the argument.</exception>
    public int Get(string name, int fallback)
    {
        if (!_values.TryGetValue(name, out var text)) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"Node argument '{name}' = '{text}' is not an integer.");
    }
}
