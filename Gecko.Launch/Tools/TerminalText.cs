using System.Globalization;
using System.Text;

namespace Gecko.Launch.Tools;

/// <summary>
/// Text from the network made safe to print: topic names, node names and log lines come from any publisher, and a
/// control character (an escape sequence, a carriage return) must not drive the user's terminal or hide a line.
/// </summary>
public static class TerminalText
{
    /// <summary><paramref name="text"/> with each control character written as <c>\n</c>, <c>\t</c> or <c>\x1b</c>.</summary>
    public static string Safe(string text)
    {
        var clean = true;
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                clean = false;
                break;
            }
        }
        if (clean) return text;
        var safe = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (!char.IsControl(c)) safe.Append(c);
            else if (c == '\n') safe.Append("\\n");
            else if (c == '\t') safe.Append("\\t");
            else if (c == '\r') safe.Append("\\r");
            else safe.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
        }
        return safe.ToString();
    }
}
