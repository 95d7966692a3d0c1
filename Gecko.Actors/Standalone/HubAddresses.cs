using Gecko.Core.Hub;

namespace Gecko.Actors.Standalone;

/// <summary>Where a standalone node connects: explicit options, then the environment, then the defaults.</summary>
internal static class HubAddresses
{
    public static (string In, string Out) Resolve(NodeOptions options)
    {
        var defaults = CoreSettings.Default;
        var inAddress = options.InAddress ?? Environment.GetEnvironmentVariable("GECKO_CORE_IN") ?? defaults.InAddress;
        var outAddress = options.OutAddress ?? Environment.GetEnvironmentVariable("GECKO_CORE_OUT") ?? defaults.OutAddress;
        return (inAddress, outAddress);
    }
}
