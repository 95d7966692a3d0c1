using System.CommandLine;
using Gecko.Core.Bridge.Security;

namespace Gecko.Launch.Cli;

/// <summary><c>gecko keys generate</c>: CURVE key pairs for a hub and its nodes (see <c>gecko.core.curve</c>).</summary>
public static class KeysCommand
{
    /// <summary>Exit code for bad arguments or a file that exists already.</summary>
    public const int Refused = 2;

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var name = new Option<string>("--name", "-n") { Description = "The key pair's name: NAME.key and NAME.key_secret are written (default: gecko).", DefaultValueFactory = _ => "gecko" };
        var output = new Option<string?>("--out", "-o") { Description = "The folder to write the files in (default: the current folder)." };
        var generate = new Command("generate", """
            Make a CURVE key pair: NAME.key holds the public key (give it to the hub's allowed-clients, or the hub's to
            the nodes), NAME.key_secret both keys, readable by its owner only. Existing files are never overwritten.
            The files are ZeroMQ certificates: pyzmq reads them with zmq.auth.load_certificate.

            Examples:
              gecko keys generate --name hub --out /etc/gecko/keys
              gecko keys generate --name camera --out /etc/gecko/keys/nodes
            """)
        {
            name, output,
        };
        generate.SetAction(parse => Generate(parse.GetValue(name)!, parse.GetValue(output) ?? Directory.GetCurrentDirectory(),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return new Command("keys", "CURVE keys for encrypted, authenticated hub connections (gecko.core.curve).") { generate };
    }

    /// <summary>Writes the pair and prints where it went and the public key; returns the exit code.</summary>
    public static int Generate(string name, string folder, TextWriter output, TextWriter error)
    {
        try
        {
            var pair = CurveKeyFiles.Generate(folder, name);
            output.WriteLine($"public key  {pair.PublicKeyZ85}");
            output.WriteLine($"written     {Path.Combine(Path.GetFullPath(folder), name + CurveKeyFiles.PublicSuffix)} (public)");
            output.WriteLine($"            {Path.Combine(Path.GetFullPath(folder), name + CurveKeyFiles.SecretSuffix)} (secret, mode 0600: keep it on this machine)");
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"gecko keys generate: {e.Message}");
            return Refused;
        }
    }
}
