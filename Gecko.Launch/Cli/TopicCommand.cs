using System.CommandLine;

namespace Gecko.Launch.Cli;

/// <summary><c>gecko topic</c>: list topics, print their messages, measure their rate and bandwidth, publish.</summary>
public static class TopicCommand
{
    /// <summary>Builds the verb and its sub-verbs.</summary>
    public static Command Create() => new("topic", """
        Look at the topics of a running hub, here or on another machine: list them with their rates and who publishes
        and subscribes, print their messages, measure their rate and bandwidth, publish on them.

        Examples:
          gecko topic list
          gecko topic echo imu -n 1
          gecko topic hz imu
          gecko topic pub cmd --type twist '{"linear": [0.5, 0, 0], "angular": [0, 0, 0.2]}' --rate 10
        """)
    {
        TopicListCommand.Create(),
        TopicEchoCommand.Create(),
        TopicRateCommand.CreateHz(),
        TopicRateCommand.CreateBw(),
        TopicPubCommand.Create(),
    };
}
