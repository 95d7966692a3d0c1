using System.CommandLine;
using System.Globalization;
using Gecko.Core.Bridge.Security;
using Gecko.Core.Cluster;

namespace Gecko.Launch.Cli;

/// <summary>
/// <c>gecko keys generate</c>: CURVE key pairs for a hub and its nodes (see <c>gecko.core.curve</c>);
/// <c>gecko keys tls</c>: certificates for TLS between cluster hosts (see <c>gecko.cluster.tls</c>).
/// </summary>
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
        return new Command("keys", "CURVE keys for encrypted, authenticated hub connections (gecko.core.curve); TLS certificates for cluster hosts (gecko.cluster.tls).")
        {
            generate, Tls(),
        };
    }

    private static Command Tls()
    {
        var name = new Option<string>("--name", "-n") { Description = "The certificate's name (its CN): NAME.pfx and NAME.crt are written (default: gecko).", DefaultValueFactory = _ => "gecko" };
        var output = new Option<string?>("--out", "-o") { Description = "The folder to write the files in (default: the current folder)." };
        var days = new Option<int>("--days") { Description = "How many days the certificate is valid (default 3650).", DefaultValueFactory = _ => 3650 };
        var passwordFile = new Option<string?>("--password-file")
        {
            Description = $"Protect NAME.pfx with the password on this file's first line (default: the environment variable {ClusterTlsSettings.PasswordVariable}, else no password).",
        };
        var tls = new Command("tls", $"""
            Make a self-signed certificate for TLS between cluster hosts: NAME.pfx holds it with its private key
            (PKCS#12, readable by its owner only: give it to gecko core/launch with --cluster-tls-certificate), NAME.crt
            the certificate alone (give it to the hosts that should trust this one, --cluster-tls-trust). The SHA-256
            fingerprint printed is what --cluster-tls-trust also takes. Existing files are never overwritten.
            The simplest cluster copies one NAME.pfx to every host: each trusts its own certificate.

            Examples:
              gecko keys tls --name robot --out keys
              {ClusterTlsSettings.PasswordVariable}=secret gecko keys tls --name laptop --out keys --days 365
            """)
        {
            name, output, days, passwordFile,
        };
        tls.SetAction(parse => GenerateTls(parse.GetValue(name)!, parse.GetValue(output) ?? Directory.GetCurrentDirectory(), parse.GetValue(days),
            parse.GetValue(passwordFile), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return tls;
    }

    /// <summary>Writes a TLS certificate and prints where it went and its fingerprint; returns the exit code.</summary>
    public static int GenerateTls(string name, string folder, int days, string? passwordFile, TextWriter output, TextWriter error)
    {
        if (days is < 1 or > 36500)
        {
            error.WriteLine($"gecko keys tls: --days {days.ToString(CultureInfo.InvariantCulture)} is out of range: give between 1 and 36500, e.g. --days 3650.");
            return Refused;
        }
        try
        {
            var password = passwordFile is null
                ? Environment.GetEnvironmentVariable(ClusterTlsSettings.PasswordVariable)
                : File.ReadLines(passwordFile).FirstOrDefault()?.TrimEnd('\r') ?? "";
            var fingerprint = ClusterCertificateFiles.Generate(folder, name, TimeSpan.FromDays(days), password);
            var full = Path.GetFullPath(folder);
            output.WriteLine($"fingerprint {fingerprint} (SHA-256)");
            output.WriteLine($"written     {Path.Combine(full, name + ClusterCertificateFiles.Pkcs12Suffix)} (certificate and private key{(string.IsNullOrEmpty(password) ? ", no password" : ", with the password")}, mode 0600: keep it on the hosts that use it)");
            output.WriteLine($"            {Path.Combine(full, name + ClusterCertificateFiles.CertificateSuffix)} (certificate only: give it to the hosts that trust this one)");
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"gecko keys tls: {e.Message}");
            return Refused;
        }
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
