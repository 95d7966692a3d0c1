using Gecko.Core;

namespace Gecko.Launch.Bench;

/// <summary>A measurement could not be made (a hub did not start, a handshake did not get through).</summary>
public sealed class BenchException(string message) : GeckoException(message);
