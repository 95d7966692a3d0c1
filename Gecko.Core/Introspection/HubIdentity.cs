namespace Gecko.Core.Introspection;

/// <summary>Which hub a report comes from.</summary>
/// <param name="Pid">The hub's process id.</param>
/// <param name="Host">The hub's machine.</param>
/// <param name="Key">The key it answers beacon look-ups for.</param>
/// <param name="InAddress">Where publishers connect (as bound: a wildcard address stays a wildcard).</param>
/// <param name="OutAddress">Where subscribers connect.</param>
/// <param name="Version">The hub's Gecko version.</param>
public sealed record HubIdentity(int Pid, string Host, string Key, string InAddress, string OutAddress, string Version)
{
    /// <summary>Before the hub is attached to its sockets.</summary>
    public static HubIdentity Unknown { get; } = new(0, "", "", "", "", "");
}
