using Spectre.Console;

namespace Gecko.Launch.Dashboard;

/// <summary>Picks the dashboard for where the output goes: live on a terminal, plain text blocks anywhere else.</summary>
public static class DashboardFactory
{
    /// <summary>
    /// The live dashboard when <paramref name="output"/> is this process's standard output and that is an interactive
    /// terminal (and neither <paramref name="quiet"/> nor <paramref name="plain"/> is asked for); the plain-text one otherwise.
    /// </summary>
    /// <param name="header">Title and hub addresses.</param>
    /// <param name="output">Where the dashboard writes.</param>
    /// <param name="quiet">Reports off: only process output and events are shown.</param>
    /// <param name="plain">Plain text even on a terminal (<c>--plain</c>).</param>
    public static IDashboard Create(DashboardHeader header, TextWriter output, bool quiet = false, bool plain = false)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(output);
        return !quiet && !plain && IsTerminal(output)
            ? new LiveDashboard(AnsiConsole.Console, header)
            : new PlainTextDashboard(output, header, quiet);
    }

    /// <summary>Whether <paramref name="output"/> is standard output on a terminal that can redraw in place.</summary>
    public static bool IsTerminal(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected
        && AnsiConsole.Profile.Capabilities.Interactive && AnsiConsole.Profile.Capabilities.Ansi;
}
