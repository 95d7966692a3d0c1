using System.Diagnostics;
using System.Reflection;
using System.Reflection.Emit;

namespace Gecko.Core.Bridge.Internal;

/// <summary>
/// Gives NetMQ a cheap tick counter on platforms where it has none.
/// </summary>
/// <remarks>
/// NetMQ throttles how often a socket checks its command mailbox by the CPU's time-stamp counter, which it reads
/// with a snippet of machine code mapped through Mono.Posix. On .NET for Linux that assembly is absent, the counter
/// reads 0, and NetMQ then checks the mailbox — a poll() system call — on every send and receive of every frame.
/// Handing it <see cref="Stopwatch.GetTimestamp"/> instead restores the throttle (measured here: direct PUB→SUB
/// from ~200 k to ~870 k msgs/s). NetMQ's internals are not public API, so everything is looked up defensively and
/// any mismatch leaves NetMQ exactly as shipped.
/// </remarks>
internal static class NetMqFastClock
{
    private static readonly object Gate = new();
    private static bool? _enabled;

    /// <summary>Whether NetMQ's tick counter is available now (ours or its own).</summary>
    public static bool IsActive => ReadTicks() != 0;

    /// <summary>Installs the Stopwatch tick counter once per process; returns whether NetMQ now has a tick counter.</summary>
    public static bool TryEnable()
    {
        lock (Gate)
        {
            _enabled ??= Install();
            return _enabled.Value;
        }
    }

    private static bool Install()
    {
        try
        {
            var assembly = typeof(NetMQ.NetMQSocket).Assembly;
            var clock = assembly.GetType("NetMQ.Core.Utils.Clock");
            var opcode = assembly.GetType("NetMQ.Core.Utils.Opcode");
            if (clock is null || opcode is null) return false;
            if (ReadTicks() != 0) return true; // NetMQ found a counter of its own.

            var supported = clock.GetField("s_rdtscSupported", BindingFlags.NonPublic | BindingFlags.Static);
            var rdtsc = opcode.GetProperty("Rdtsc", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static);
            var delegateType = opcode.GetNestedType("RdtscDelegate", BindingFlags.Public | BindingFlags.NonPublic);
            if (supported?.FieldType != typeof(bool) || rdtsc?.SetMethod is null || delegateType is null) return false;

            var ticks = typeof(NetMqFastClock).GetMethod(nameof(StopwatchTicks), BindingFlags.NonPublic | BindingFlags.Static)!;
            rdtsc.SetValue(null, Delegate.CreateDelegate(delegateType, ticks));

            // The flag is static readonly, which reflection refuses to set once the type is initialised; a dynamic
            // method may store it. It is set before NetMQ's hot methods are compiled at tier 1, which fold it in.
            var setter = new DynamicMethod("SetRdtscSupported", null, [typeof(bool)], clock.Module, skipVisibility: true);
            var il = setter.GetILGenerator();
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Stsfld, supported);
            il.Emit(OpCodes.Ret);
            setter.Invoke(null, [true]);

            if (ReadTicks() != 0) return true;
            setter.Invoke(null, [false]);
            return false;
        }
        catch (Exception e) when (e is TargetInvocationException or MemberAccessException or ArgumentException or InvalidProgramException or NotSupportedException)
        {
            return false;
        }
    }

    private static ulong StopwatchTicks() => (ulong)Stopwatch.GetTimestamp();

    private static long ReadTicks()
    {
        var clock = typeof(NetMQ.NetMQSocket).Assembly.GetType("NetMQ.Core.Utils.Clock");
        var rdtsc = clock?.GetMethod("Rdtsc", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static);
        try
        {
            return rdtsc?.Invoke(null, null) is long value ? value : 0;
        }
        catch (TargetInvocationException)
        {
            return 0;
        }
    }
}
