using Akka.Configuration;

namespace Gecko.Launch.LaunchFiles;

/// <summary>When a supervised process is started again after it exits.</summary>
public enum RestartPolicy
{
    /// <summary>Never restarted.</summary>
    Never,

    /// <summary>Restarted when it exits with a non-zero code or is killed by a signal.</summary>
    OnFailure,

    /// <summary>Restarted whenever it exits.</summary>
    Always,
}

/// <summary>An in-process node to deploy.</summary>
/// <param name="Name">Its name (instances are NAME, NAME-2, … when <paramref name="Count"/> &gt; 1).</param>
/// <param name="Type">A concrete GeckoNode type.</param>
/// <param name="Count">How many instances.</param>
/// <param name="Arguments">Its arguments.</param>
/// <param name="Role">The cluster role of the hosts it runs on, if placed.</param>
public sealed record NodeSpec(string Name, Type Type, int Count, IReadOnlyDictionary<string, string> Arguments, string? Role);

/// <summary>An OS process to spawn and supervise.</summary>
/// <param name="Name">Its name: prefixes its output and names its log file.</param>
/// <param name="Command">The program (no shell); "gecko" means this gecko program itself.</param>
/// <param name="Arguments">Its arguments, passed as an array.</param>
/// <param name="WorkingDirectory">Its working directory, or null for the launch file's folder.</param>
/// <param name="Environment">Variables added to its environment.</param>
/// <param name="Restart">The restart policy.</param>
/// <param name="RestartDelay">The wait before a restart.</param>
/// <param name="MaxRestarts">The most restarts within <paramref name="RestartWindow"/>.</param>
/// <param name="RestartWindow">The window restarts are counted in.</param>
/// <param name="Required">When it exits for good, the whole launch stops.</param>
/// <param name="SigintTimeout">The wait after SIGINT before SIGTERM.</param>
/// <param name="SigtermTimeout">The wait after SIGTERM before SIGKILL.</param>
public sealed record ProcessSpec(string Name, string Command, IReadOnlyList<string> Arguments, string? WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment, RestartPolicy Restart, TimeSpan RestartDelay, int MaxRestarts,
    TimeSpan RestartWindow, bool Required, TimeSpan SigintTimeout, TimeSpan SigtermTimeout);

/// <summary>A validated launch file.</summary>
/// <param name="SourcePath">The launch file.</param>
/// <param name="Config">The whole merged configuration, over Gecko's defaults.</param>
/// <param name="Nodes">In-process nodes.</param>
/// <param name="Processes">OS processes.</param>
public sealed record LaunchPlan(string SourcePath, Config Config, IReadOnlyList<NodeSpec> Nodes, IReadOnlyList<ProcessSpec> Processes);
