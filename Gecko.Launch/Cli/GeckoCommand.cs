using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Gecko.Launch.Cli;

/// <summary>The <c>gecko</c> command: one verb per tool.</summary>
public static class GeckoCommand
{
    /// <summary>Builds the command tree.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("Gecko: a robot runtime. Routes topics between nodes and shows, live, what they carry.")
        {
            CoreCommand.Create(),
            FindCommand.Create(),
            TopicCommand.Create(),
            NodeCommand.Create(),
            LogCommand.Create(),
            LaunchCommand.Create(),
            BenchCommand.Create(),
            KeysCommand.Create(),
            Demo.DemoNodeCommand.Create(),
        };
        return root;
    }

    /// <summary>Parses <paramref name="args"/> and runs the verb; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Create().Parse(args);
        var config = new InvocationConfiguration
        {
            // Our actions own shutdown: they stop the hub and children when the token fires, within their timeouts.
            ProcessTerminationTimeout = null,
        };
        using var stop = new CancellationTokenSource();
        // Ctrl-C and SIGTERM ask for an orderly stop instead of killing the process: sockets are closed,
        // children stopped and the core file removed before the exit code is returned.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);
        // A closed terminal too: dying on SIGHUP would leave children running.
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, RequestStop);
        return await parse.InvokeAsync(config, stop.Token);

        void RequestStop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    /// <summary>The version printed by <c>gecko --version</c>.</summary>
    public static string Version =>
        typeof(GeckoCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
