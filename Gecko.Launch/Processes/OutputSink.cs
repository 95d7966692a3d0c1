namespace Gecko.Launch.Processes;

/// <summary>Where supervised processes' output lines go: each line prefixed with the process name.</summary>
public interface IOutputSink
{
    /// <summary>One line from <paramref name="process"/>; <paramref name="isError"/> for standard error.</summary>
    void Line(string process, string line, bool isError);
}

/// <summary>Writes prefixed lines to a text writer, one at a time so lines of different processes never interleave.</summary>
public sealed class ConsoleOutputSink(TextWriter writer) : IOutputSink
{
    private readonly object _gate = new();

    /// <inheritdoc />
    public void Line(string process, string line, bool isError)
    {
        lock (_gate)
        {
            writer.WriteLine($"[{process}] {line}");
            writer.Flush();
        }
    }
}
