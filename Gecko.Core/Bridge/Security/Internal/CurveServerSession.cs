using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using NaCl;

namespace Gecko.Core.Bridge.Security.Internal;

/// <summary>
/// The server side of one CurveZMQ connection (RFC 26, as ZMTP 3.0 carries it): the handshake HELLO → WELCOME →
/// INITIATE → READY, then MESSAGE commands both ways. The cryptography is NaCl's crypto_box, from the library NetMQ
/// itself uses for CURVE. Unlike NetMQ's own CURVE server, this one learns the client's long-term public key from its
/// vouch, so the hub can refuse keys that are not on its allow-list before a single message passes.
/// </summary>
internal sealed class CurveServerSession : IDisposable
{
    private static readonly byte[] HelloNoncePrefix = "CurveZMQHELLO---"u8.ToArray();
    private static readonly byte[] WelcomeNoncePrefix = "WELCOME-"u8.ToArray();
    private static readonly byte[] CookieNoncePrefix = "COOKIE--"u8.ToArray();
    private static readonly byte[] InitiateNoncePrefix = "CurveZMQINITIATE"u8.ToArray();
    private static readonly byte[] VouchNoncePrefix = "VOUCH---"u8.ToArray();
    private static readonly byte[] ReadyNoncePrefix = "CurveZMQREADY---"u8.ToArray();
    private static readonly byte[] MessageNoncePrefixToClient = "CurveZMQMESSAGES"u8.ToArray();
    private static readonly byte[] MessageNoncePrefixFromClient = "CurveZMQMESSAGEC"u8.ToArray();
    private static readonly byte[] MessageName = "\u0007MESSAGE"u8.ToArray();

    /// <summary>"\x07MESSAGE", the short nonce and the MAC: what CURVE adds to a frame (plus one byte of flags).</summary>
    public const int MessageOverhead = 8 + 8 + TagLength + 1;

    private const int KeyLength = 32;
    private const int TagLength = 16;
    private const int NonceLength = 24;

    private readonly Curve25519XSalsa20Poly1305 _box;
    private ulong _nonce;
    private ulong _peerNonce;

    private CurveServerSession(Curve25519XSalsa20Poly1305 box, byte[] clientKey, string peerSocketType, ulong nonce, ulong peerNonce)
    {
        _box = box;
        ClientKey = clientKey;
        PeerSocketType = peerSocketType;
        _nonce = nonce;
        _peerNonce = peerNonce;
    }

    /// <summary>The client's long-term public key, proven by its vouch.</summary>
    public byte[] ClientKey { get; }

    /// <summary>The client's ZeroMQ socket type (PUB, SUB, ...).</summary>
    public string PeerSocketType { get; }

    /// <summary>Why a handshake was refused although the client spoke CURVE correctly.</summary>
    public enum Refusal
    {
        /// <summary>Accepted.</summary>
        None,

        /// <summary>The client's key is not on the allow-list.</summary>
        KeyNotAllowed,

        /// <summary>The client's socket type cannot talk to this endpoint.</summary>
        WrongSocketType,
    }

    /// <summary>
    /// Runs the server's handshake on <paramref name="stream"/>. Returns the session, or no session with the refusal
    /// set when the client is refused; any other failure throws <see cref="ZmtpProtocolException"/>.
    /// </summary>
    public static async Task<(CurveServerSession? Session, Refusal Refusal, byte[]? ClientKey)> AcceptAsync(
        Stream stream, ZmtpReader reader, CurveServerKeys keys, string ownSocketType, IReadOnlyCollection<string> peerSocketTypes,
        CancellationToken token)
    {
        await stream.WriteAsync(Zmtp.Greeting("CURVE", asServer: true), token);
        var greeting = new byte[Zmtp.GreetingLength];
        await reader.ReadRequiredAsync(greeting, token);
        Zmtp.CheckGreeting(greeting, "CURVE", peerIsServer: false);

        var serverSecret = keys.Server.SecretKey;
        var serverPublic = keys.Server.PublicKey;

        // HELLO: the client's short-term key C' and a box of zeros from C' to S, which proves it knows S.
        var hello = await reader.ReadCommandAsync(255, token);
        if (hello.Length != 200 || !Zmtp.IsCommand(hello, "HELLO")) throw new ZmtpProtocolException("HELLO expected");
        if (hello[6] != 1 || hello[7] != 0) throw new ZmtpProtocolException($"CurveZMQ version {hello[6]}.{hello[7]}, not 1.0");
        var clientShortKey = hello.AsSpan(80, KeyLength).ToArray();
        var helloNonce = Nonce(HelloNoncePrefix, hello.AsSpan(112, 8));
        var peerNonce = BinaryPrimitives.ReadUInt64BigEndian(hello.AsSpan(112, 8));
        using (var helloBox = new Curve25519XSalsa20Poly1305(serverSecret, clientShortKey))
        {
            Span<byte> zeros = stackalloc byte[64];
            if (!helloBox.TryDecrypt(zeros, hello.AsSpan(120, 80), helloNonce))
                throw new ZmtpProtocolException("HELLO does not open: the client has another server key");
        }

        // WELCOME: our short-term key S' and a cookie. One connection, one handshake: the cookie is kept here and
        // compared when it comes back, instead of being decrypted again.
        var (shortSecret, shortPublic) = Curve25519XSalsa20Poly1305.KeyPair();
        var cookie = new byte[16 + TagLength + 64];
        RandomNumberGenerator.Fill(cookie.AsSpan(0, 16));
        using (var cookieBox = new XSalsa20Poly1305(RandomNumberGenerator.GetBytes(KeyLength)))
            cookieBox.Encrypt(cookie.AsSpan(16), [.. clientShortKey, .. shortSecret], Nonce(CookieNoncePrefix, cookie.AsSpan(0, 16)));
        var welcomeShortNonce = RandomNumberGenerator.GetBytes(16);
        var welcome = new byte[16 + TagLength + 128];
        welcomeShortNonce.CopyTo(welcome, 0);
        using (var welcomeBox = new Curve25519XSalsa20Poly1305(serverSecret, clientShortKey))
            welcomeBox.Encrypt(welcome.AsSpan(16), [.. shortPublic, .. cookie], Nonce(WelcomeNoncePrefix, welcomeShortNonce));
        await WriteCommandAsync(stream, Zmtp.Command("WELCOME", welcome), token);

        // INITIATE: the cookie back, then a box from C' to S' holding the client's long-term key C, its vouch (a box
        // from C to S' holding C' and S: the holder of C's secret stands behind C') and its metadata.
        var initiate = await reader.ReadCommandAsync(4096, token);
        if (!Zmtp.IsCommand(initiate, "INITIATE") || initiate.Length < 9 + 96 + 8 + TagLength + 128) throw new ZmtpProtocolException("INITIATE expected");
        if (!CryptographicOperations.FixedTimeEquals(initiate.AsSpan(9, 96), cookie)) throw new ZmtpProtocolException("INITIATE carries another cookie");
        var initiateNonceValue = BinaryPrimitives.ReadUInt64BigEndian(initiate.AsSpan(105, 8));
        if (initiateNonceValue <= peerNonce) throw new ZmtpProtocolException("INITIATE reuses a nonce");
        peerNonce = initiateNonceValue;
        var box = new Curve25519XSalsa20Poly1305(shortSecret, clientShortKey);
        try
        {
            var plain = new byte[initiate.Length - 113 - TagLength];
            if (!box.TryDecrypt(plain, initiate.AsSpan(113), Nonce(InitiateNoncePrefix, initiate.AsSpan(105, 8))))
                throw new ZmtpProtocolException("INITIATE does not open");
            var clientKey = plain.AsSpan(0, KeyLength).ToArray();
            Span<byte> vouch = stackalloc byte[64];
            using (var vouchBox = new Curve25519XSalsa20Poly1305(shortSecret, clientKey))
            {
                if (!vouchBox.TryDecrypt(vouch, plain.AsSpan(48, 80), Nonce(VouchNoncePrefix, plain.AsSpan(32, 16))))
                    throw new ZmtpProtocolException("the vouch does not open: the client does not hold its key's secret");
            }
            if (!vouch[..KeyLength].SequenceEqual(clientShortKey) || !vouch[KeyLength..].SequenceEqual(serverPublic))
                throw new ZmtpProtocolException("the vouch is for another connection");
            CryptographicOperations.ZeroMemory(shortSecret);

            if (!keys.IsAllowed(clientKey)) return Refuse(Refusal.KeyNotAllowed, clientKey);
            var peerType = Zmtp.SocketType(plain.AsSpan(128));
            if (!peerSocketTypes.Contains(peerType)) return Refuse(Refusal.WrongSocketType, clientKey);

            var session = new CurveServerSession(box, clientKey, peerType, nonce: 1, peerNonce);
            box = null!;
            await session.SendReadyAsync(stream, ownSocketType, token);
            return (session, Refusal.None, clientKey);

            (CurveServerSession?, Refusal, byte[]?) Refuse(Refusal why, byte[] key) => (null, why, key);
        }
        finally
        {
            box?.Dispose();
        }
    }

    private async Task SendReadyAsync(Stream stream, string ownSocketType, CancellationToken token)
    {
        var metadata = Zmtp.SocketTypeMetadata(ownSocketType);
        var ready = new byte[8 + TagLength + metadata.Length];
        BinaryPrimitives.WriteUInt64BigEndian(ready, _nonce);
        _box.Encrypt(ready.AsSpan(8), metadata, Nonce(ReadyNoncePrefix, ready.AsSpan(0, 8)));
        _nonce++;
        await WriteCommandAsync(stream, Zmtp.Command("READY", ready), token);
    }

    private static async Task WriteCommandAsync(Stream stream, byte[] body, CancellationToken token)
    {
        var frame = new byte[9 + body.Length];
        var header = ZmtpFrameHeader.Write(frame, body.Length, more: false, command: true);
        body.CopyTo(frame, header);
        await stream.WriteAsync(frame.AsMemory(0, header + body.Length), token);
        await stream.FlushAsync(token);
    }

    /// <summary>
    /// Opens one MESSAGE from the client (a frame body) into <paramref name="plain"/>, which must hold
    /// <c>body.Length - 32</c> bytes: a flags byte (bit 0 more, bit 1 command), then the frame.
    /// </summary>
    /// <exception cref="ZmtpProtocolException">Not a MESSAGE, a replayed nonce, or it does not open.</exception>
    public int OpenMessage(ReadOnlySpan<byte> body, Span<byte> plain)
    {
        if (body.Length < MessageOverhead || !body[..8].SequenceEqual(MessageName)) throw new ZmtpProtocolException("MESSAGE expected");
        var nonce = BinaryPrimitives.ReadUInt64BigEndian(body.Slice(8, 8));
        if (nonce <= _peerNonce) throw new ZmtpProtocolException("a replayed or reordered MESSAGE nonce");
        _peerNonce = nonce;
        var length = body.Length - 16 - TagLength;
        Span<byte> full = stackalloc byte[NonceLength];
        FillNonce(MessageNoncePrefixFromClient, body.Slice(8, 8), full);
        if (!_box.TryDecrypt(plain[..length], body[16..], full))
            throw new ZmtpProtocolException("a MESSAGE that does not open");
        return length;
    }

    /// <summary>
    /// Seals <paramref name="plain"/> (flags byte, then the frame) as a MESSAGE body into <paramref name="body"/>, which
    /// must hold <c>plain.Length + 32</c> bytes. Not thread-safe: one writer per session.
    /// </summary>
    public int SealMessage(ReadOnlySpan<byte> plain, Span<byte> body)
    {
        MessageName.CopyTo(body);
        BinaryPrimitives.WriteUInt64BigEndian(body[8..], _nonce);
        Span<byte> full = stackalloc byte[NonceLength];
        FillNonce(MessageNoncePrefixToClient, body.Slice(8, 8), full);
        _box.Encrypt(body.Slice(16, plain.Length + TagLength), plain, full);
        _nonce++;
        return 16 + TagLength + plain.Length;
    }

    private static byte[] Nonce(byte[] prefix, ReadOnlySpan<byte> rest)
    {
        var nonce = new byte[NonceLength];
        FillNonce(prefix, rest, nonce);
        return nonce;
    }

    private static void FillNonce(byte[] prefix, ReadOnlySpan<byte> rest, Span<byte> nonce)
    {
        prefix.CopyTo(nonce);
        rest.CopyTo(nonce[prefix.Length..]);
    }

    public void Dispose() => _box.Dispose();

    /// <summary>The client's key in Z85, as key files and logs show it.</summary>
    public static string Z85(byte[] key) => NetMQ.NetMQCertificate.FromPublicKey(key).PublicKeyZ85;

    /// <summary>A command frame's name for logs.</summary>
    public static string CommandName(ReadOnlySpan<byte> body) =>
        body.Length > 1 && body[0] < body.Length ? Encoding.ASCII.GetString(body.Slice(1, body[0])) : "?";
}
