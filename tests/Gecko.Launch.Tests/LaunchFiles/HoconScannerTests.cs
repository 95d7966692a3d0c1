using Gecko.Launch.LaunchFiles.Internal;
using Xunit;

namespace Gecko.Launch.Tests.LaunchFiles;

public sealed class HoconScannerTests
{
    private sealed class Recorder : IHoconScanListener
    {
        public List<(string Path, int Line)> Keys { get; } = [];
        public List<(string Path, string Target, int Line)> Includes { get; } = [];
        public List<(string Path, int Line)> Substitutions { get; } = [];

        public void Key(string path, int line) => Keys.Add((path, line));
        public void Include(string path, string target, int line) => Includes.Add((path, target, line));
        public void Substitution(string path, int line) => Substitutions.Add((path, line));

        public int LineOf(string path) => Keys.Last(k => k.Path == path).Line;
    }

    private static (Recorder Recorder, HoconSyntaxError? Error) Scan(string text, string prefix = "")
    {
        var recorder = new Recorder();
        return (recorder, HoconScanner.Scan(text, prefix, recorder));
    }

    [Fact]
    public void Scan_ValidFile_RecordsEveryKeyPathAtItsLine()
    {
        var (keys, error) = Scan(""""
            # a comment
            gecko {
              core.stats-interval = 1s   // another comment
              nodes {
                "hey there" { type = "A.B, C", args { topic = "hey there", hz = 5 } }
              }
              processes {
                camera {
                  command = gecko
                  args = [
                    demo-node,   # comment inside an array
                    camera
                  ]
                  environment { NOTE = """two
            lines""" }
                  restart = on-failure
                }
              }
            }
            vars.hz = ${gecko.core.stats-interval}
            """");

        Assert.Null(error);
        Assert.Equal(2, keys.LineOf("gecko"));
        Assert.Equal(3, keys.LineOf("gecko.core"));
        Assert.Equal(3, keys.LineOf("gecko.core.stats-interval"));
        Assert.Equal(5, keys.LineOf("gecko.nodes.hey there.type"));
        Assert.Equal(5, keys.LineOf("gecko.nodes.hey there.args.hz"));
        Assert.Equal(9, keys.LineOf("gecko.processes.camera.command"));
        Assert.Equal(10, keys.LineOf("gecko.processes.camera.args"));
        Assert.Equal(14, keys.LineOf("gecko.processes.camera.environment.NOTE"));
        Assert.Equal(16, keys.LineOf("gecko.processes.camera.restart"));
        Assert.Equal(20, keys.LineOf("vars.hz"));
        Assert.Equal([("gecko.core.stats-interval", 20)], keys.Substitutions);
    }

    [Fact]
    public void Scan_Include_IsReportedWithItsEnclosingPathAndLine()
    {
        var (keys, error) = Scan("gecko {\n  processes {\n    include \"cameras.conf\"\n  }\n}\ninclude \"base.conf\"\n", prefix: "");

        Assert.Null(error);
        Assert.Equal([("gecko.processes", "cameras.conf", 3), ("", "base.conf", 6)], keys.Includes);
    }

    [Fact]
    public void Scan_Prefix_IsPutBeforeEveryPath()
    {
        var (keys, _) = Scan("camera { command = gecko }", prefix: "gecko.processes");

        Assert.Equal(1, keys.LineOf("gecko.processes.camera.command"));
    }

    [Fact]
    public void Scan_OuterBracesAndCrLf_AreAccepted()
    {
        var (keys, error) = Scan("{\r\n  a = 1\r\n  b = [x, y]\r\n}\r\n");

        Assert.Null(error);
        Assert.Equal(3, keys.LineOf("b"));
    }

    [Theory]
    [InlineData("gecko {\n  processes {\n    a { command = x }\n", 2, "'{' of 'gecko.processes' is never closed")]
    [InlineData("a {\n  b = [1, 2\n}\n", 3, "unexpected '}' inside the array 'b' opened on line 2")]
    [InlineData("a = [1, 2\n", 1, "the '[' of 'a' is never closed")]
    [InlineData("a = 1\nb = \"open\nc = 2\n", 2, "string is not closed on its line")]
    [InlineData("a = 1\nb\nc = 2\n", 2, "'b' needs a value")]
    [InlineData("a = 1\nb =\nc = 2\n", 2, "'b' has no value after '='")]
    [InlineData("a = 1\n}\n", 2, "unexpected '}'")]
    [InlineData("a = 1 = 2\n", 1, "'=' cannot appear in an unquoted value")]
    [InlineData("in = tcp://127.0.0.1:9998\n", 1, "':' cannot appear in an unquoted value: put the value of 'in' in double quotes")]
    [InlineData("text = hello!\n", 1, "'!' cannot appear")]
    [InlineData("a = 1\nb = ${?c}\n", 2, "optional substitutions")]
    [InlineData("a = ${b\n", 1, "substitution is not closed")]
    [InlineData("a += [1]\n", 1, "'a +=' is not supported")]
    [InlineData("\ninclude file(\"x.conf\")\n", 2, "include file(...) is not supported")]
    [InlineData("include x.conf\n", 1, "include needs a quoted file name")]
    [InlineData("a = [1,, 2]\n", 1, "an empty element in the array 'a'")]
    [InlineData("a = \"bad \\q escape\"\n", 1, "unknown escape '\\q'")]
    [InlineData("a { b = 1 },\nc = 2\n", 1, "a ',' after the '}' of 'a' is not accepted")]
    [InlineData("a = [1] x\n", 1, "mixes an array or object with other text")]
    [InlineData("a = \"\"\"never\nclosed\n", 1, "triple-quoted")]
    [InlineData("= 3\n", 1, "a key is missing before '='")]
    [InlineData("a..b = 3\n", 1, "empty part")]
    [InlineData("{\n a = 1\n}\nb = 2\n", 4, "after the '}' that closes the file's outer braces")]
    public void Scan_SyntaxError_IsReportedAtItsLine(string text, int line, string reason)
    {
        var (_, error) = Scan(text);

        Assert.NotNull(error);
        Assert.Equal(line, error.Line);
        Assert.Contains(reason, error.Message);
    }
}
