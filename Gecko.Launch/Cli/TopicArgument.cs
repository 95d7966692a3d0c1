using System.Text;
using Gecko.Core;
using Gecko.Core.Introspection;
using Gecko.Core.Wire;

namespace Gecko.Launch.Cli;

/// <summary>A topic a tool was given: an exact topic, or with a trailing <c>*</c> (or <c>--prefix</c>) every topic starting so.</summary>
/// <param name="Name">The topic, or the prefix ("" for every topic).</param>
/// <param name="IsPrefix">Whether every topic starting with <paramref name="Name"/> is meant.</param>
internal sealed record TopicArgument(string Name, bool IsPrefix)
{
    /// <summary>Reads a topic argument.</summary>
    /// <param name="text">What was typed.</param>
    /// <param name="prefixFlag">Whether <c>--prefix</c> was given.</param>
    /// <param name="allowPrefix">Whether the tool takes a prefix at all.</param>
    /// <param name="example">A command line that shows the right use, for the error message.</param>
    /// <exception cref="GeckoConfigurationException">The topic is empty, too long or not allowed here.</exception>
    public static TopicArgument Parse(string? text, bool prefixFlag, bool allowPrefix, string example)
    {
        text ??= "";
        var prefix = prefixFlag || text.EndsWith('*');
        var name = text.EndsWith('*') ? text[..^1] : text;
        if (prefix && !allowPrefix)
            throw new GeckoConfigurationException($"'{text}': this tool measures one topic; give its exact name, e.g. {example}.");
        if (name.Length == 0 && !prefix)
            throw new GeckoConfigurationException($"give a topic, e.g. {example} ('gecko topic list' shows them).");
        var bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > WireProtocol.MaxTopicBytes)
            throw new GeckoConfigurationException($"the topic '{name[..Math.Min(32, name.Length)]}…' is {bytes} bytes in UTF-8; topics are at most {WireProtocol.MaxTopicBytes} bytes.");
        if (name.Any(char.IsControl))
            throw new GeckoConfigurationException("the topic has control characters: give a plain name such as imu or camera/left.");
        return new TopicArgument(name, prefix);
    }

    /// <summary>Whether a message on <paramref name="topic"/> is meant. A prefix shows the hub's own topics only when it names them.</summary>
    public bool Matches(string topic) =>
        IsPrefix
            ? topic.StartsWith(Name, StringComparison.Ordinal) && (!ReservedTopics.IsReserved(topic) || ReservedTopics.IsReserved(Name))
            : topic == Name;

    /// <summary>How the topic is named in messages: <c>'imu'</c> or <c>topics starting with 'cam'</c>.</summary>
    public override string ToString() => IsPrefix ? Name.Length == 0 ? "every topic" : $"topics starting with '{Name}'" : $"'{Name}'";
}
