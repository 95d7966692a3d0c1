using Gecko.Core.Tests.Messages;
using Gecko.Testing;
using Xunit;

namespace Gecko.Core.Tests.Bridge;

/// <summary>
/// Real Python nodes (Debian's python3 with pyzmq and msgpack) carrying pygecko's reference payloads through a hub,
/// checked byte for byte on the other side.
/// </summary>
internal static class PythonVectorNodes
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static string VectorsFile => Path.Combine(AppContext.BaseDirectory, "vectors", "pygecko-msgpack.json");

    /// <summary>A Python publisher on <paramref name="pythonIn"/> → hub → a C# subscriber on <paramref name="csharpOut"/>.</summary>
    public static void PythonToCSharp(string pythonIn, string csharpOut, TempFolder folder)
    {
        using var subscriber = ZeroMqNodes.Subscriber(csharpOut, "vec/");
        var go = folder.Combine($"go-{Guid.NewGuid():N}");
        using var python = ChildProcess.Python("Bridge/python/publish_vectors.py", [pythonIn, VectorsFile, go]);

        // The Python node probes until told to go; its first probe here means its PUB is connected and our
        // subscription is in place.
        var deadline = DateTime.UtcNow + Timeout;
        while (subscriber.TryReceive(TimeSpan.FromMilliseconds(100)) is not { Topic: "ctl/probe/py" })
        {
            if (DateTime.UtcNow > deadline || python.HasExited)
                throw new TimeoutException($"No probe from the Python publisher. Output:\n{python.Transcript}");
        }
        File.WriteAllText(go, "");

        var received = subscriber.ReceiveUntilEnd(1, Timeout);

        AssertAllVectors(received.Select(r => (r.Topic, Convert.ToHexString(r.Payload))).ToList());
    }

    /// <summary>A C# publisher on <paramref name="csharpIn"/> → hub → a Python subscriber on <paramref name="pythonOut"/>.</summary>
    public static async Task CSharpToPythonAsync(string csharpIn, string pythonOut)
    {
        using var publisher = ZeroMqNodes.Publisher(csharpIn);
        using var python = ChildProcess.Python("Bridge/python/subscribe_vectors.py", [pythonOut]);

        var deadline = DateTime.UtcNow + Timeout;
        while (await python.TryWaitForLineAsync(line => line == "ready", TimeSpan.FromMilliseconds(50)) is null)
        {
            if (DateTime.UtcNow > deadline || python.HasExited)
                throw new TimeoutException($"The Python subscriber never saw a probe. Output:\n{python.Transcript}");
            publisher.Send(ZeroMqNodes.ProbeTopic(0), []);
        }

        var names = ReferenceVectors.Names.ToList();
        foreach (var name in names) publisher.Send("vec/" + name, ReferenceVectors.Get(name).Bytes);
        publisher.Send(ZeroMqNodes.EndTopic(0), []);

        var lines = new List<(string Topic, string Hex)>();
        while (await python.WaitForLineAsync(_ => true, Timeout) is var line && line != "done")
        {
            var parts = line.Split(' ');
            Assert.True(parts.Length == 2, $"Unexpected line from the Python subscriber: {line}");
            lines.Add((parts[0], parts[1].ToUpperInvariant()));
        }
        Assert.Equal(0, await python.WaitForExitAsync(Timeout));

        AssertAllVectors(lines);
    }

    /// <summary>Every reference vector arrived once, under its own topic, with exactly its bytes, in the order sent.</summary>
    private static void AssertAllVectors(IReadOnlyList<(string Topic, string Hex)> received)
    {
        var expected = ReferenceVectors.Names.Select(name => ("vec/" + name, Convert.ToHexString(ReferenceVectors.Get(name).Bytes))).ToList();
        Assert.Equal(expected.Count, received.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Item1, received[i].Topic);
            Assert.Equal(expected[i].Item2, received[i].Hex);
        }
    }
}
