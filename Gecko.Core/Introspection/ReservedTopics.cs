namespace Gecko.Core.Introspection;

/// <summary>
/// The topics the hub itself speaks on: everything starting with <c>gecko.</c>. The hub publishes its report on
/// <see cref="Stats"/> and answers requests on <see cref="Query"/>; traffic from outside on any other reserved topic
/// (<see cref="Stats"/> included, so no one can forge a report) is dropped and counted as malformed. Reserved topics
/// are kept out of the topic table, the totals and the metrics, and reported on their own.
/// </summary>
public static class ReservedTopics
{
    /// <summary>The prefix of every reserved topic.</summary>
    public const string Prefix = "gecko.";

    /// <summary>The hub's report, published on the out side every stats interval and in answer to a query.</summary>
    public const string Stats = "gecko.stats";

    /// <summary>Where tools send a <see cref="StatsQuery"/> (on the in side); the hub consumes it and never forwards it.</summary>
    public const string Query = "gecko.query";

    /// <summary>Whether <paramref name="topic"/> is reserved for the hub.</summary>
    public static bool IsReserved(string topic) => topic.StartsWith(Prefix, StringComparison.Ordinal);
}
