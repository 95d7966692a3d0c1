using System.Text.RegularExpressions;
using Gecko.Launch.Dashboard;
using Spectre.Console;
using Xunit;

namespace Gecko.Launch.Tests.Dashboard;

public sealed partial class LiveDashboardTests
{
    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex AnsiControl();

    private static (IAnsiConsole Console, StringWriter Screen) Terminal()
    {
        var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.TrueColor,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(screen),
        });
        console.Profile.Width = 120;
        console.Profile.Height = 60;
        return (console, screen);
    }

    [Fact]
    public async Task Show_FixedSnapshot_DrawsHubTopicsProcessesAndConnections()
    {
        var (console, screen) = Terminal();
        var dashboard = new LiveDashboard(console, SampleStats.Header);

        dashboard.Show(SampleStats.Create());
        dashboard.ProcessLine("camera", "frame 15 sent", isError: false);
        dashboard.Event("camera restarted (pid 24301, restart 1)");
        await dashboard.DisposeAsync();

        var text = AnsiControl().Replace(screen.ToString(), "");
        Assert.Contains("GeckoCore [4242]", text);
        Assert.Contains("hub  CPU 6.6%  memory 0.5% (45.2 MB, 31 threads)", text);
        Assert.Contains("messages 806  54.9 msgs/s", text);
        Assert.Contains("malformed 3 (WrongFrameCount 2, BadTopic 1)", text);
        Assert.Contains("dropped 1500 (cv 1500)", text);
        Assert.Matches(@"│ cv\s+│\s+14\.9 │\s+4467\.5 │\s+224 │\s+1,500 │\s+1 \+ ext │", text);
        Assert.Matches(@"│ camera\s+│\s+24301 │\s+5\.1 │\s+0\.3 │\s+12\.0 MB │\s+4 │", text);
        Assert.Contains("connections  listening 127.0.0.1:9998 (in), 127.0.0.1:9999 (out); 2 established", text);
        Assert.Matches(@"│ out\s+│ 127\.0\.0\.1:9999\s+│ 127\.0\.0\.1:54467\s+│", text);
        Assert.Contains("camera frame 15 sent", text);
        Assert.Contains("gecko camera restarted", text);
    }

    [Fact]
    public async Task Show_HostileNames_AreShownAsTextNotMarkup()
    {
        var (console, screen) = Terminal();
        var dashboard = new LiveDashboard(console, SampleStats.Header);
        var stats = SampleStats.Create();

        dashboard.Show(stats with { Processes = [stats.Processes[0] with { Name = "[red]x[/] [bold" }] });
        await dashboard.DisposeAsync();

        Assert.Contains("[red]x[/] [bold", AnsiControl().Replace(screen.ToString(), ""));
    }

    [Fact]
    public async Task Create_OutputNotATerminal_GivesPlainText()
    {
        var output = new StringWriter();

        await using (var dashboard = DashboardFactory.Create(SampleStats.Header, output))
        {
            Assert.IsType<PlainTextDashboard>(dashboard);
            dashboard.Show(SampleStats.Create());
        }

        Assert.StartsWith("== GeckoCore [4242]", output.ToString());
    }

    [Fact]
    public async Task Create_Quiet_ShowsNoReportsButProcessOutput()
    {
        var output = new StringWriter();

        await using (var dashboard = DashboardFactory.Create(SampleStats.Header, output, quiet: true))
        {
            dashboard.Show(SampleStats.Create());
            dashboard.ProcessLine("camera", "frame 15 sent", isError: false);
        }

        Assert.Equal("[camera] frame 15 sent\n", output.ToString());
    }
}
