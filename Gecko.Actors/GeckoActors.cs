namespace Gecko.Actors;

/// <summary>Marker for the Gecko.Actors assembly: node actors and the standalone node API live here.</summary>
public static class GeckoActors
{
    /// <summary>The assembly's version.</summary>
    public static Version? Version => typeof(GeckoActors).Assembly.GetName().Version;
}
