using System.Net;

namespace Gecko.Core.Hub;

/// <summary>The key a hub answers beacon look-ups for.</summary>
public static class HubKey
{
    /// <summary>The default key: this machine's host name, lowercase, up to the first dot (pygecko's convention).</summary>
    public static string Default
    {
        get
        {
            var host = Dns.GetHostName();
            var dot = host.IndexOf('.');
            return (dot > 0 ? host[..dot] : host).ToLowerInvariant();
        }
    }

    /// <summary><paramref name="key"/> itself, or <see cref="Default"/> when it is empty.</summary>
    public static string OrDefault(string? key) => string.IsNullOrWhiteSpace(key) ? Default : key.Trim();
}
