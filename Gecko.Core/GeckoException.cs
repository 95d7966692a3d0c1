namespace Gecko.Core;

/// <summary>The root of every error Gecko raises on purpose. Its message says what went wrong and what to do.</summary>
public class GeckoException : Exception
{
    /// <summary>Creates an error with a message that tells the user what to do.</summary>
    public GeckoException(string message) : base(message) { }

    /// <summary>Creates an error with a message that tells the user what to do, and its cause.</summary>
    public GeckoException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A setting is missing, malformed or out of range.</summary>
public sealed class GeckoConfigurationException : GeckoException
{
    /// <summary>Creates a configuration error naming the key and what is wrong with it.</summary>
    public GeckoConfigurationException(string message) : base(message) { }

    /// <summary>Creates a configuration error with its cause.</summary>
    public GeckoConfigurationException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The hub could not bind one of its endpoints (typically: the port is already in use).</summary>
public sealed class GeckoBindException : GeckoException
{
    /// <summary>Creates a bind error for <paramref name="endpoint"/>.</summary>
    public GeckoBindException(string endpoint, string message, Exception inner) : base(message, inner) => Endpoint = endpoint;

    /// <summary>Creates a bind error for <paramref name="endpoint"/> found before any system call failed.</summary>
    public GeckoBindException(string endpoint, string message) : base(message) => Endpoint = endpoint;

    /// <summary>The endpoint that could not be bound.</summary>
    public string Endpoint { get; }
}
