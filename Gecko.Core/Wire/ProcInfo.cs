using System.Buffers;
using MessagePack;

namespace Gecko.Core.Wire;

/// <summary>
/// A node's registration on <c>core_info</c>: MessagePack <c>{"proc_info": [pid, name, alive]}</c>.
/// </summary>
/// <param name="Pid">The node's operating-system process id.</param>
/// <param name="Name">The node's name as it gives it.</param>
/// <param name="Alive">False when the node says it is exiting.</param>
public sealed record ProcInfo(int Pid, string Name, bool Alive)
{
    /// <summary>The longest node name kept; a longer one is cut, so a hostile node cannot bloat the hub's tables.</summary>
    public const int MaxNameLength = 128;

    /// <summary>Encodes this registration as pygecko writes it.</summary>
    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(1);
        writer.Write("proc_info");
        writer.WriteArrayHeader(3);
        writer.Write(Pid);
        writer.Write(Name);
        writer.Write(Alive);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a registration; false (never an exception) for anything else, as the payload comes from the network.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> payload, out ProcInfo? info)
    {
        info = null;
        try
        {
            var reader = new MessagePackReader(payload);
            if (reader.NextMessagePackType != MessagePackType.Map) return false;
            var entries = reader.ReadMapHeader();
            for (var i = 0; i < entries; i++)
            {
                var isProcInfo = reader.NextMessagePackType == MessagePackType.String
                    ? reader.ReadString() == "proc_info"
                    : SkipValue(ref reader);
                if (isProcInfo)
                {
                    if (reader.NextMessagePackType != MessagePackType.Array || reader.ReadArrayHeader() < 3) return false;
                    if (reader.NextMessagePackType != MessagePackType.Integer) return false;
                    var pid = reader.ReadInt64();
                    if (reader.NextMessagePackType != MessagePackType.String) return false;
                    var name = reader.ReadString() ?? "";
                    var alive = reader.NextMessagePackType switch
                    {
                        MessagePackType.Boolean => reader.ReadBoolean(),
                        MessagePackType.Integer => reader.ReadInt64() != 0,
                        _ => (bool?)null,
                    };
                    if (alive is null || pid is <= 0 or > int.MaxValue) return false;
                    if (name.Length > MaxNameLength) name = name[..MaxNameLength];
                    info = new ProcInfo((int)pid, name, alive.Value);
                    return true;
                }
                SkipValue(ref reader);
            }
            return false;
        }
        // The reader throws all of these on hostile input (a truncated value's skip, for one, throws
        // ArgumentOutOfRangeException); any of them escaping would end the bridge's poller thread.
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or InvalidOperationException
                                      or OverflowException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// Skips one value of any shape with a counter instead of recursion, so how deep a hostile payload nests never
    /// matters to the stack of the thread reading network input, whatever the library's own skip does.
    /// Always returns false, so it can stand where a key was expected to match.
    /// </summary>
    private static bool SkipValue(ref MessagePackReader reader)
    {
        long pending = 1;
        while (pending > 0)
        {
            pending--;
            switch (reader.NextMessagePackType)
            {
                case MessagePackType.Array:
                    pending += reader.ReadArrayHeader();
                    break;
                case MessagePackType.Map:
                    pending += 2L * reader.ReadMapHeader();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return false;
    }
}
