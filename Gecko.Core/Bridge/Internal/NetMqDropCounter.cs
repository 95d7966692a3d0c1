using System.Collections;
using System.Reflection;
using System.Reflection.Emit;
using NetMQ;

namespace Gecko.Core.Bridge.Internal;

/// <summary>
/// Counts the messages an XPUB or PUB socket drops for subscribers whose queue is full, which ZeroMQ does silently.
/// </summary>
/// <remarks>
/// NetMQ's distributor keeps a socket's pipes in one list: those it may write to first ("eligible"), those at their
/// high-water mark after them. A message is matched against the subscriptions and written to the matching eligible
/// pipes; a write that fails moves its pipe behind the eligible ones, and a pipe comes back only when its reader has
/// caught up. So a subscriber misses a message exactly when its pipe matches the topic but is not among the pipes the
/// message was written to — and that can only happen while some pipe is, or has just become, full. The caller reads
/// <see cref="FullPipes"/> before the topic frame and again after it: when both are 0 (the ordinary case: two field
/// reads) nothing was dropped; otherwise <see cref="Missed"/> matches the topic against the subscription trie, as the
/// socket did, and subtracts the pipes written to. Between the topic frame and the payload frame the distributor still
/// holds that count, and a pipe that took the topic frame takes the payload too (a pipe counts whole messages).
/// <para/>
/// NetMQ's internals are not public API, so they are looked up defensively; <see cref="TryCreate"/> returns null when
/// they do not look as expected, and any failure at run time turns the counter off (<see cref="IsBroken"/>) rather
/// than the bridge.
/// </remarks>
internal sealed class NetMqDropCounter
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

    private static readonly Internals? Shared = Internals.Load();

    private readonly object _distribution;
    private readonly ICollection _pipes;
    private readonly object _subscriptions;
    private readonly Delegate _collect;
    private readonly HashSet<object> _matched = new(ReferenceEqualityComparer.Instance);

    private NetMqDropCounter(object distribution, ICollection pipes, object subscriptions, Delegate collect)
    {
        _distribution = distribution;
        _pipes = pipes;
        _subscriptions = subscriptions;
        _collect = collect;
    }

    /// <summary>Whether NetMQ's internals look as this counter expects.</summary>
    public static bool IsSupported => Shared is not null;

    /// <summary>Set when reading NetMQ's internals failed once: from then on <see cref="Missed"/> answers 0.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>A counter for <paramref name="socket"/> (an XPUB or PUB); null when NetMQ's internals are not as expected.</summary>
    public static NetMqDropCounter? TryCreate(NetMQSocket socket)
    {
        if (Shared is not { } internals) return null;
        try
        {
            var handle = internals.SocketHandle.GetValue(socket);
            if (handle is null || !internals.XPub.IsInstanceOfType(handle)) return null;
            var distribution = internals.Distribution.GetValue(handle);
            var subscriptions = internals.Subscriptions.GetValue(handle);
            if (distribution is null || subscriptions is null || internals.Pipes.GetValue(distribution) is not ICollection pipes) return null;
            return new NetMqDropCounter(distribution, pipes, subscriptions, internals.CollectDelegate);
        }
        catch (Exception e) when (e is TargetException or FieldAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// How many pipes the message whose topic frame was just sent goes to (read before its payload frame). For a
    /// publisher connected to one hub: 0 means the hub never gets it — not connected yet, its subscription not arrived,
    /// or its queue full. Answers 1 once the counter is broken, so nothing is counted that was not seen.
    /// </summary>
    public int Delivered
    {
        get
        {
            if (IsBroken) return 1;
            try
            {
                return Shared!.Matching(_distribution);
            }
            catch (InvalidCastException)
            {
                IsBroken = true;
                return 1;
            }
        }
    }

    /// <summary>Pipes at their high-water mark now. Call on the socket's thread.</summary>
    public int FullPipes => IsBroken ? 0 : _pipes.Count - Shared!.Eligible(_distribution);

    /// <summary>
    /// How many subscribers miss the message whose topic frame (<paramref name="topic"/>) was just sent and whose
    /// payload frame is still to come: pipes whose subscriptions match minus pipes it was written to.
    /// </summary>
    public int Missed(byte[] topic)
    {
        if (IsBroken) return 0;
        try
        {
            _matched.Clear();
            Shared!.Match(_subscriptions, topic, _collect, this);
            return Math.Max(0, _matched.Count - Shared.Matching(_distribution));
        }
        catch (Exception e) when (e is InvalidCastException or NullReferenceException or InvalidOperationException or ArgumentException)
        {
            IsBroken = true;
            return 0;
        }
    }

    /// <summary>Called by the subscription trie for each pipe subscribed to a prefix of the topic (a pipe may come more than once).</summary>
    private static void Collect(object pipe, byte[]? data, int size, object arg) => ((NetMqDropCounter)arg)._matched.Add(pipe);

    /// <summary>NetMQ's members, found once; compiled accessors for the ones read per message.</summary>
    private sealed class Internals
    {
        public required FieldInfo SocketHandle { get; init; }
        public required Type XPub { get; init; }
        public required FieldInfo Distribution { get; init; }
        public required FieldInfo Subscriptions { get; init; }
        public required FieldInfo Pipes { get; init; }
        public required Func<object, int> Eligible { get; init; }
        public required Func<object, int> Matching { get; init; }
        public required Action<object, byte[], Delegate, object> Match { get; init; }
        public required Delegate CollectDelegate { get; init; }

        public static Internals? Load()
        {
            try
            {
                var assembly = typeof(NetMQSocket).Assembly;
                var handle = typeof(NetMQSocket).GetField("m_socketHandle", Instance);
                var xpub = assembly.GetType("NetMQ.Core.Patterns.XPub");
                var distributionType = assembly.GetType("NetMQ.Core.Patterns.Utils.Distribution");
                var trieType = assembly.GetType("NetMQ.Core.Patterns.Utils.MultiTrie");
                var delegateType = trieType?.GetNestedType("MultiTrieDelegate", BindingFlags.Public | BindingFlags.NonPublic);
                var pipeType = assembly.GetType("NetMQ.Core.Pipe");
                if (handle is null || xpub is null || distributionType is null || trieType is null || delegateType is null || pipeType is null) return null;

                var distribution = xpub.GetField("m_distribution", Instance);
                var subscriptions = xpub.GetField("m_subscriptions", Instance);
                var pipes = distributionType.GetField("m_pipes", Instance);
                var eligible = distributionType.GetField("m_eligible", Instance);
                var matching = distributionType.GetField("m_matching", Instance);
                var match = trieType.GetMethod("Match", Instance, [typeof(Span<byte>), delegateType, typeof(object)]);
                var invoke = delegateType.GetMethod("Invoke");
                if (distribution?.FieldType != distributionType || subscriptions?.FieldType != trieType
                    || pipes is null || !typeof(ICollection).IsAssignableFrom(pipes.FieldType)
                    || eligible?.FieldType != typeof(int) || matching?.FieldType != typeof(int) || match is null
                    || invoke is null || !invoke.GetParameters().Select(p => p.ParameterType).SequenceEqual([pipeType, typeof(byte[]), typeof(int), typeof(object)]))
                    return null;

                var collect = typeof(NetMqDropCounter).GetMethod(nameof(Collect), BindingFlags.NonPublic | BindingFlags.Static)!;
                return new Internals
                {
                    SocketHandle = handle,
                    XPub = xpub,
                    Distribution = distribution,
                    Subscriptions = subscriptions,
                    Pipes = pipes,
                    Eligible = IntGetter(distributionType, eligible),
                    Matching = IntGetter(distributionType, matching),
                    Match = MatchInvoker(trieType, delegateType, match),
                    // A trie delegate takes a Pipe; Collect takes any object, which a delegate may bind to.
                    CollectDelegate = Delegate.CreateDelegate(delegateType, collect),
                };
            }
            catch (Exception e) when (e is ArgumentException or MemberAccessException or InvalidProgramException or NotSupportedException or AmbiguousMatchException)
            {
                return null;
            }
        }

        /// <summary>A field read as a plain load: reflection's GetValue would box, per message.</summary>
        private static Func<object, int> IntGetter(Type owner, FieldInfo field)
        {
            var method = new DynamicMethod("Get_" + field.Name, typeof(int), [typeof(object)], owner.Module, skipVisibility: true);
            var il = method.GetILGenerator();
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Castclass, owner);
            il.Emit(OpCodes.Ldfld, field);
            il.Emit(OpCodes.Ret);
            return method.CreateDelegate<Func<object, int>>();
        }

        /// <summary><c>trie.Match(new Span&lt;byte&gt;(topic), func, arg)</c>: a span cannot go through reflection's Invoke.</summary>
        private static Action<object, byte[], Delegate, object> MatchInvoker(Type trieType, Type delegateType, MethodInfo match)
        {
            var spanOfArray = typeof(Span<byte>).GetConstructor([typeof(byte[])])!;
            var method = new DynamicMethod("MatchTrie", null, [typeof(object), typeof(byte[]), typeof(Delegate), typeof(object)], trieType.Module, skipVisibility: true);
            var il = method.GetILGenerator();
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Castclass, trieType);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Newobj, spanOfArray);
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Castclass, delegateType);
            il.Emit(OpCodes.Ldarg_3);
            il.Emit(OpCodes.Callvirt, match);
            il.Emit(OpCodes.Ret);
            return method.CreateDelegate<Action<object, byte[], Delegate, object>>();
        }
    }
}
