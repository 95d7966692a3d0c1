using System.Text;

namespace Gecko.Launch.LaunchFiles.Internal;

/// <summary>
/// A light pass over HOCON source text that checks its syntax and reports where each key path, include and
/// substitution was written. It runs before Akka's parser, which keeps no line numbers and is lenient to the point
/// of accepting broken text silently (an unclosed brace), misreading it, or never returning (<c>[1, }</c>); only text
/// this scanner accepts is handed to it. The grammar is the HOCON subset Akka's parser reads correctly.
/// </summary>
internal sealed class HoconScanner
{
    // What Akka's HOCON tokenizer does not accept in unquoted text; keys also end at '.'.
    private const string NotInUnquotedValue = "$\"{}[]:=,#`^?!@*&\\";
    private const string NotInUnquotedKey = NotInUnquotedValue + ".";
    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    private readonly string _text;
    private readonly IHoconScanListener _listener;
    private readonly List<(string From, string To, int Line)> _substitutions = [];
    private string _prefix = "";
    private int _index;
    private int _line = 1;

    private HoconScanner(string text, IHoconScanListener listener)
    {
        _text = text;
        _listener = listener;
    }

    /// <summary>Scans <paramref name="text"/>, telling <paramref name="listener"/> each key, include and substitution
    /// in source order (paths prefixed with <paramref name="prefix"/>); returns the first syntax error, if any.</summary>
    public static HoconSyntaxError? Scan(string text, string prefix, IHoconScanListener listener)
    {
        var scanner = new HoconScanner(text, listener);
        try
        {
            scanner._prefix = prefix;
            scanner.ScanRoot(prefix);
            scanner.RefuseSubstitutionCycles();
            return null;
        }
        catch (SyntaxException e)
        {
            return new HoconSyntaxError(e.Line, e.Message);
        }
    }

    private bool AtEnd => _index >= _text.Length;

    private char Current => AtEnd ? '\0' : _text[_index];

    private bool LooksAt(string text) => string.CompareOrdinal(_text, _index, text, 0, text.Length) == 0;

    private bool AtNewline => Current is '\n' or '\r';

    private bool AtComment => Current == '#' || LooksAt("//");

    private void Advance()
    {
        if (Current == '\n') _line++;
        _index++;
    }

    private void ScanRoot(string prefix)
    {
        if (Current == '\uFEFF') _index++;
        SkipBlank();
        if (Current == '{')
        {
            var open = _line;
            Advance();
            ScanObjectBody(prefix, '}', open);
            SkipBlank();
            if (!AtEnd) throw Error(_line, $"unexpected '{Current}' after the '}}' that closes the file's outer braces");
            return;
        }
        ScanObjectBody(prefix, null, 0);
    }

    /// <summary>
    /// How deep objects, arrays and key paths may nest. A launch file needs a handful of levels; a hundred thousand
    /// overflow the stack of this scanner and of Akka's parser, and a stack overflow ends the process uncatchably.
    /// </summary>
    private const int MaxDepth = 64;

    private int _depth;

    private void Enter(string path, int line)
    {
        if (++_depth > MaxDepth || path.Count(c => c == '.') >= MaxDepth)
            throw Error(line, $"objects, arrays and key paths nest more than {MaxDepth} levels deep here: a launch file needs far fewer");
    }

    private void ScanObjectBody(string path, char? close, int openLine)
    {
        Enter(path, _line);
        try
        {
            ScanObjectBodyWithin(path, close, openLine);
        }
        finally
        {
            _depth--;
        }
    }

    private void ScanObjectBodyWithin(string path, char? close, int openLine)
    {
        while (true)
        {
            SkipBlank();
            if (AtEnd)
            {
                if (close is null) return;
                throw Error(openLine, $"the '{{' of '{Display(path)}' is never closed: add a '}}'");
            }
            var c = Current;
            if (c == close)
            {
                Advance();
                return;
            }
            switch (c)
            {
                case '}': throw Error(_line, "unexpected '}': no '{' is open here");
                case ']': throw Error(_line, "unexpected ']': no '[' is open here");
                case ',': throw Error(_line, "unexpected ',': a setting is missing before it");
            }
            if (TryScanInclude(path))
            {
                EndOfSetting("include", afterBlock: false);
                continue;
            }

            var keyLine = _line;
            var segments = ScanKeyPath();
            var key = string.Join('.', segments);
            var full = Join(path, key);
            if (segments.Count + path.Count(c => c == '.') >= MaxDepth)
                throw Error(keyLine, $"objects, arrays and key paths nest more than {MaxDepth} levels deep here: a launch file needs far fewer");
            SkipSpaces();
            if (Current is '=' or ':')
            {
                Advance();
                RecordKey(path, segments, keyLine);
                ScanValue(full, key, keyLine, inArray: false);
                EndOfSetting(key, afterBlock: false);
            }
            else if (Current == '{')
            {
                RecordKey(path, segments, keyLine);
                var open = _line;
                Advance();
                ScanObjectBody(full, '}', open);
                EndOfSetting(key, afterBlock: true);
            }
            else if (LooksAt("+="))
            {
                throw Error(_line, $"'{key} +=' is not supported: write the whole array, {key} = [ ... ]");
            }
            else
            {
                throw Error(keyLine, $"'{key}' needs a value: write {key} = value, or {key} {{ ... }}");
            }
        }
    }

    private void RecordKey(string path, List<string> segments, int line)
    {
        var current = path;
        foreach (var segment in segments)
        {
            current = Join(current, segment);
            _listener.Key(current, line);
        }
    }

    /// <summary>After a setting: the end of the line, a comment, a comma, or the end of the enclosing object.</summary>
    private void EndOfSetting(string key, bool afterBlock)
    {
        SkipSpaces();
        if (AtEnd || AtNewline || AtComment || Current == '}') return;
        if (Current == ',')
        {
            // Akka's parser refuses a comma after `key { ... }` (though not after `key = { ... }`).
            if (afterBlock) throw Error(_line, $"a ',' after the '}}' of '{key}' is not accepted: end the line there, or write {key} = {{ ... }},");
            Advance();
            return;
        }
        throw Error(_line, $"unexpected '{Current}' after the value of '{key}': put one setting per line, or separate settings with commas");
    }

    private bool TryScanInclude(string path)
    {
        if (!LooksAt("include")) return false;
        var after = _index + "include".Length;
        if (after >= _text.Length || _text[after] is not (' ' or '\t' or '"')) return false;
        var line = _line;
        _index = after;
        SkipSpaces();
        if (Current != '"')
        {
            var wordStart = _index;
            while (!AtEnd && char.IsLetter(Current)) Advance();
            var word = _text[wordStart.._index];
            throw Error(line, word.Length > 0 && Current == '('
                ? $"include {word}(...) is not supported: write include \"other.conf\" (a path relative to this file)"
                : "include needs a quoted file name: include \"other.conf\" (a path relative to this file)");
        }
        var target = ScanQuoted();
        if (target.Length == 0) throw Error(line, "include \"\" names no file: write include \"other.conf\"");
        _listener.Include(path, target, line);
        return true;
    }

    private List<string> ScanKeyPath()
    {
        var segments = new List<string>();
        while (true)
        {
            if (Current == '"')
            {
                var line = _line;
                var quoted = ScanQuoted();
                if (quoted.Length == 0) throw Error(line, "an empty key \"\" is not accepted");
                segments.Add(quoted);
            }
            else
            {
                var start = _index;
                while (!AtEnd && !AtNewline && !AtComment && !NotInUnquotedKey.Contains(Current) && !LooksAt("+=")) Advance();
                var segment = _text[start.._index].Trim();
                if (segment.Length == 0)
                {
                    var c = Current;
                    throw Error(_line, c switch
                    {
                        '=' or ':' => $"a key is missing before '{c}'",
                        '{' => "a key is missing before '{'",
                        '.' => "a key path cannot have an empty part ('..' or a leading '.')",
                        '\0' => "the file ends where a key was expected",
                        _ => $"'{c}' cannot appear in a key: put the key in double quotes",
                    });
                }
                segments.Add(segment);
            }
            if (Current != '.') return segments;
            Advance();
        }
    }

    private void ScanValue(string path, string key, int keyLine, bool inArray)
    {
        SkipSpaces();
        if (AtEnd || AtNewline || AtComment || Current is ',' or '}' || (inArray && Current == ']'))
            throw Error(keyLine, inArray ? $"an empty element in the array '{key}'" : $"'{key}' has no value after '='");
        var parts = 0;
        var composite = false;
        while (true)
        {
            var partLine = _line;
            var isComposite = false;
            if (LooksAt("\"\"\"")) ScanTripleQuoted();
            else if (Current == '"') ScanQuoted();
            else if (Current == '[')
            {
                isComposite = true;
                ScanArray(path, key);
            }
            else if (Current == '{')
            {
                isComposite = true;
                var open = _line;
                Advance();
                ScanObjectBody(path, '}', open);
            }
            else if (LooksAt("${")) ScanSubstitution(path);
            else if (!char.IsWhiteSpace(Current) && !NotInUnquotedValue.Contains(Current))
            {
                while (!AtEnd && !char.IsWhiteSpace(Current) && !AtComment && !NotInUnquotedValue.Contains(Current)) Advance();
            }
            else
            {
                throw Error(_line, $"'{Current}' cannot appear in an unquoted value: put the value of '{key}' in double quotes");
            }
            parts++;
            if ((isComposite || composite) && parts > 1)
                throw Error(partLine, $"the value of '{key}' mixes an array or object with other text");
            composite |= isComposite;
            SkipSpaces();
            if (AtEnd || AtNewline || AtComment || Current is ',' or '}' or ']') return;
        }
    }

    private void ScanArray(string path, string key)
    {
        Enter(path, _line);
        try
        {
            ScanArrayWithin(path, key);
        }
        finally
        {
            _depth--;
        }
    }

    private void ScanArrayWithin(string path, string key)
    {
        var open = _line;
        Advance();
        while (true)
        {
            SkipBlank();
            if (AtEnd) throw Error(open, $"the '[' of '{key}' is never closed: add a ']'");
            switch (Current)
            {
                case ']':
                    Advance();
                    return;
                case ',':
                    throw Error(_line, $"an empty element in the array '{key}': remove the extra ','");
                case '}':
                    throw Error(_line, $"unexpected '}}' inside the array '{key}' opened on line {open}: close the array with ']' first");
            }
            var elementLine = _line;
            ScanValue(path, key, elementLine, inArray: true);
            SkipSpaces();
            if (Current == ',') Advance();
            else if (!(AtEnd || AtNewline || AtComment || Current == ']'))
                throw Error(_line, $"unexpected '{Current}' in the array '{key}': separate elements with commas");
        }
    }

    /// <summary>A <c>${...}</c> in the value of <paramref name="from"/> (its full key path).</summary>
    private void ScanSubstitution(string from)
    {
        var line = _line;
        _index += 2;
        if (Current == '?') throw Error(line, "optional substitutions ${?...} are not supported: define the value, or leave the key out");
        var start = _index;
        while (!AtEnd && !char.IsWhiteSpace(Current) && !NotInUnquotedValue.Contains(Current)) Advance();
        var substituted = _text[start.._index];
        if (Current != '}') throw Error(line, "a substitution is not closed: write ${path.to.key}");
        if (substituted.Length == 0) throw Error(line, "an empty substitution ${}: write ${path.to.key}");
        Advance();
        _substitutions.Add((from, Join(_prefix, substituted), line));
        _listener.Substitution(substituted, line);
    }

    /// <summary>The most substitutions one file may hold: a launch file needs a handful, and the cycle check is quadratic.</summary>
    private const int MaxSubstitutions = 1000;

    /// <summary>
    /// Refuses substitutions that refer back to themselves (a = ${b}, b = ${a}; or a = ${a}): Akka's HOCON parser
    /// resolves them by recursing until the stack overflows, which ends the process, so they must not reach it.
    /// A key depends on a substituted path when it is that path, inside it, or an object holding it.
    /// </summary>
    private void RefuseSubstitutionCycles()
    {
        if (_substitutions.Count == 0) return;
        if (_substitutions.Count > MaxSubstitutions)
            throw Error(_substitutions[MaxSubstitutions].Line, $"more than {MaxSubstitutions} substitutions in one file: define the values instead");
        var keys = _substitutions.Select(s => s.From).Distinct(StringComparer.Ordinal).ToArray();
        var index = keys.Select((k, i) => (k, i)).ToDictionary(p => p.k, p => p.i, StringComparer.Ordinal);
        var edges = keys.Select(_ => new List<(int To, int Substitution)>()).ToArray();
        for (var s = 0; s < _substitutions.Count; s++)
        {
            var (from, to, _) = _substitutions[s];
            for (var k = 0; k < keys.Length; k++)
                if (Related(to, keys[k])) edges[index[from]].Add((k, s));
        }
        // Depth-first without recursion (a chain may be long): 0 unseen, 1 on the current path, 2 done.
        var state = new byte[keys.Length];
        for (var start = 0; start < keys.Length; start++)
        {
            if (state[start] != 0) continue;
            var stack = new Stack<(int Key, int Next)>();
            stack.Push((start, 0));
            state[start] = 1;
            while (stack.Count > 0)
            {
                var (key, next) = stack.Pop();
                if (next == edges[key].Count)
                {
                    state[key] = 2;
                    continue;
                }
                stack.Push((key, next + 1));
                var (to, substitution) = edges[key][next];
                if (state[to] == 1)
                {
                    var (_, target, line) = _substitutions[substitution];
                    var cycle = stack.Reverse().Select(f => keys[f.Key]).SkipWhile(k => k != keys[to]).Append(keys[to]);
                    throw Error(line, $"${{{target[_prefix.Length..].TrimStart('.')}}} makes a cycle of substitutions ({string.Join(" → ", cycle)}): " +
                                      "a value cannot refer back to itself; define one of them");
                }
                if (state[to] == 0)
                {
                    state[to] = 1;
                    stack.Push((to, 0));
                }
            }
        }
    }

    private static bool Related(string target, string key) =>
        key == target || key.StartsWith(target + ".", StringComparison.Ordinal) || target.StartsWith(key + ".", StringComparison.Ordinal);

    private string ScanQuoted()
    {
        var line = _line;
        var text = new StringBuilder();
        Advance();
        while (true)
        {
            if (AtEnd || AtNewline)
                throw Error(line, "a string is not closed on its line: add the closing '\"' (use \"\"\"triple quotes\"\"\" for text over several lines)");
            var c = Current;
            if (c == '"')
            {
                Advance();
                return text.ToString();
            }
            if (c == '\\') text.Append(ScanEscape());
            else
            {
                text.Append(c);
                Advance();
            }
        }
    }

    private void ScanTripleQuoted()
    {
        var line = _line;
        _index += 3;
        while (!LooksAt("\"\"\""))
        {
            if (AtEnd) throw Error(line, "a \"\"\"triple-quoted\"\"\" string is never closed");
            if (Current == '\\') ScanEscape();
            else Advance();
        }
        _index += 3;
    }

    private string ScanEscape()
    {
        var line = _line;
        Advance();
        var c = Current;
        Advance();
        switch (c)
        {
            case '"': return "\"";
            case '\\': return "\\";
            case '/': return "/";
            case 'b': return "\b";
            case 'f': return "\f";
            case 'n': return "\n";
            case 'r': return "\r";
            case 't': return "\t";
            case 'u':
                if (_index + 4 <= _text.Length && _text.AsSpan(_index, 4).IndexOfAnyExcept(HexDigits) < 0)
                {
                    var value = (char)Convert.ToInt32(_text.Substring(_index, 4), 16);
                    _index += 4;
                    return value.ToString();
                }
                throw Error(line, "\\u needs four hexadecimal digits, e.g. \\u00e9");
            default:
                throw Error(line, $"unknown escape '\\{c}' in a string: write \\\\ for a backslash");
        }
    }

    private void SkipSpaces()
    {
        while (Current is ' ' or '\t' or '\r' or '\uFEFF') Advance();
    }

    private void SkipBlank()
    {
        while (!AtEnd)
        {
            if (char.IsWhiteSpace(Current)) Advance();
            else if (AtComment)
                while (!AtEnd && Current != '\n') Advance();
            else return;
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static string Display(string path) => path.Length == 0 ? "the file" : path;

    private static SyntaxException Error(int line, string message) => new(line, message);

    private sealed class SyntaxException(int line, string message) : Exception(message)
    {
        public int Line { get; } = line;
    }
}

/// <summary>A syntax error the scanner found: its line and what is wrong.</summary>
internal sealed record HoconSyntaxError(int Line, string Message);

/// <summary>What <see cref="HoconScanner"/> reports, in source order.</summary>
internal interface IHoconScanListener
{
    /// <summary>A key path was set (each enclosing path is reported too, on the same line).</summary>
    void Key(string path, int line);

    /// <summary><c>include "target"</c> inside the object at <paramref name="path"/>.</summary>
    void Include(string path, string target, int line);

    /// <summary>A <c>${path}</c> substitution.</summary>
    void Substitution(string path, int line);
}
