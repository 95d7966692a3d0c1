using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Gecko.Core;
using Gecko.Core.Cluster;

namespace Gecko.Launch.Cli;

/// <summary>
/// The cluster flags <c>gecko core</c> and <c>gecko launch</c> share: <c>--cluster</c>, <c>--cluster-seed</c>,
/// <c>--cluster-host</c>, <c>--cluster-port</c>, <c>--role</c>, and for TLS <c>--cluster-tls-certificate</c>,
/// <c>--cluster-tls-password-file</c>, <c>--cluster-tls-trust</c>, <c>--cluster-tls-ca</c>. Any of them turns the
/// cluster on; <c>--cluster-tls-certificate</c> turns TLS on, and the other TLS flags need it.
/// </summary>
/// <param name="Join">--cluster: join (or start) a cluster with the configured settings.</param>
/// <param name="Seeds">--cluster-seed HOST:PORT, repeatable.</param>
/// <param name="Host">--cluster-host: the address this host listens on and announces.</param>
/// <param name="Port">--cluster-port: its TCP port (0: the OS picks).</param>
/// <param name="Roles">--role, repeatable.</param>
public sealed record ClusterFlags(bool Join, IReadOnlyList<string> Seeds, string? Host, int? Port, IReadOnlyList<string> Roles)
{
    /// <summary>No cluster flag given.</summary>
    public static ClusterFlags None { get; } = new(false, [], null, null, []);

    /// <summary>--cluster-tls-certificate: this host's PKCS#12 file; turns TLS on.</summary>
    public string? TlsCertificate { get; init; }

    /// <summary>--cluster-tls-password-file: a file whose first line is the certificate's password.</summary>
    public string? TlsPasswordFile { get; init; }

    /// <summary>--cluster-tls-trust, repeatable: peers' certificates trusted besides this host's (fingerprints or files).</summary>
    public IReadOnlyList<string> TlsTrust { get; init; } = [];

    /// <summary>--cluster-tls-ca: trust the certificates this authority issued instead of pinned ones.</summary>
    public string? TlsCa { get; init; }

    /// <summary>Whether any flag asks for the cluster.</summary>
    public bool Any => Join || Seeds.Count > 0 || Host is not null || Port is not null || Roles.Count > 0 || AnyTls;

    private bool AnyTls => TlsCertificate is not null || TlsPasswordFile is not null || TlsTrust.Count > 0 || TlsCa is not null;

    /// <summary>The options, added to a verb.</summary>
    public sealed class Options
    {
        private readonly Option<bool> _join = new("--cluster") { Description = "Join a cluster of Gecko hosts (gecko.cluster); without --cluster-seed this host starts one that others join." };
        private readonly Option<string[]> _seeds = new("--cluster-seed")
        {
            Description = "A host to join through, HOST:PORT, e.g. --cluster-seed 192.168.1.10:4053 (repeatable; implies --cluster).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        private readonly Option<string?> _host = new("--cluster-host") { Description = "The address other hosts reach this one at, e.g. 192.168.1.20 (default 127.0.0.1; implies --cluster)." };
        private readonly Option<int?> _port = new("--cluster-port") { Description = "This host's cluster port (default 4053; 0: the OS picks; implies --cluster)." };
        private readonly Option<string[]> _roles = new("--role")
        {
            Description = "A role of this host, e.g. --role pi: launch files place nodes on hosts by role (repeatable; implies --cluster).",
            Arity = ArgumentArity.ZeroOrMore,
        };

        private readonly Option<string?> _tlsCertificate = new("--cluster-tls-certificate")
        {
            Description = "Encrypt and authenticate cluster traffic (TLS) with this host's PKCS#12 file, e.g. keys/robot.pfx from gecko keys tls; "
                + $"its password: --cluster-tls-password-file, or the environment variable {ClusterTlsSettings.PasswordVariable} (implies --cluster).",
        };
        private readonly Option<string?> _tlsPasswordFile = new("--cluster-tls-password-file") { Description = "A file whose first line is the password of --cluster-tls-certificate." };
        private readonly Option<string[]> _tlsTrust = new("--cluster-tls-trust")
        {
            Description = "Trust another host's certificate besides this host's own: its SHA-256 fingerprint or its .crt file (repeatable; needs --cluster-tls-certificate).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        private readonly Option<string?> _tlsCa = new("--cluster-tls-ca") { Description = "Trust the hosts' certificates this authority issued (its .crt or .pem file) instead of pinned ones (needs --cluster-tls-certificate)." };

        /// <summary>Adds the options to <paramref name="command"/>.</summary>
        public void AddTo(Command command)
        {
            command.Options.Add(_join);
            command.Options.Add(_seeds);
            command.Options.Add(_host);
            command.Options.Add(_port);
            command.Options.Add(_roles);
            command.Options.Add(_tlsCertificate);
            command.Options.Add(_tlsPasswordFile);
            command.Options.Add(_tlsTrust);
            command.Options.Add(_tlsCa);
        }

        /// <summary>What was given.</summary>
        public ClusterFlags Read(ParseResult parse) =>
            new(parse.GetValue(_join), parse.GetValue(_seeds) ?? [], parse.GetValue(_host), parse.GetValue(_port), parse.GetValue(_roles) ?? [])
            {
                TlsCertificate = parse.GetValue(_tlsCertificate),
                TlsPasswordFile = parse.GetValue(_tlsPasswordFile),
                TlsTrust = parse.GetValue(_tlsTrust) ?? [],
                TlsCa = parse.GetValue(_tlsCa),
            };
    }

    /// <summary>Checks every flag; the message says which flag is wrong and how to write it.</summary>
    /// <exception cref="GeckoConfigurationException">A flag is malformed.</exception>
    public ClusterFlags Validated()
    {
        foreach (var seed in Seeds) ClusterSettings.SeedAddress(seed, "--cluster-seed");
        if (Port is { } port && port is < 0 or > 65535)
            throw new GeckoConfigurationException($"--cluster-port {port} is out of range: give a port between 0 (the OS picks) and 65535, e.g. --cluster-port 4053.");
        if (Host is { } host && (host.Length == 0 || host.Any(c => char.IsWhiteSpace(c) || c is '/' or '@' or ':' or '"' or '\\')))
            throw new GeckoConfigurationException($"--cluster-host '{host}' is not a host: give the IP address or name other hosts reach this one at, e.g. --cluster-host 192.168.1.20.");
        foreach (var role in Roles)
        {
            if (role.Length == 0 || role.Any(c => !(char.IsLetterOrDigit(c) || c is '-' or '_' or '.')))
                throw new GeckoConfigurationException($"--role '{role}' is not a role name: use letters, digits, '-', '_' or '.', e.g. --role pi.");
        }
        if (TlsCertificate is { Length: 0 })
            throw new GeckoConfigurationException("--cluster-tls-certificate needs a file: this host's PKCS#12 certificate, e.g. --cluster-tls-certificate keys/robot.pfx (make one with gecko keys tls --name robot).");
        if (TlsCertificate is null && (TlsPasswordFile is not null || TlsTrust.Count > 0 || TlsCa is not null))
        {
            var flag = TlsPasswordFile is not null ? "--cluster-tls-password-file" : TlsTrust.Count > 0 ? "--cluster-tls-trust" : "--cluster-tls-ca";
            throw new GeckoConfigurationException($"{flag} needs --cluster-tls-certificate: give this host's certificate too, e.g. --cluster-tls-certificate keys/robot.pfx.");
        }
        if (TlsCa is not null && TlsTrust.Count > 0)
            throw new GeckoConfigurationException("--cluster-tls-trust and --cluster-tls-ca exclude each other: trust either pinned certificates or an authority's.");
        return this;
    }

    /// <summary><paramref name="settings"/> with the flags applied as values (never pasted into HOCON).</summary>
    public ClusterSettings ApplyTo(ClusterSettings settings)
    {
        Validated();
        if (!Any) return settings;
        return (settings with
        {
            Enabled = true,
            SeedNodes = Seeds.Count > 0 ? Seeds.Select(s => ClusterSettings.SeedAddress(s, "--cluster-seed")).ToArray() : settings.SeedNodes,
            Hostname = Host ?? settings.Hostname,
            Port = Port ?? settings.Port,
            Roles = Roles.Count > 0 ? Roles.ToArray() : settings.Roles,
            Tls = TlsCertificate is null ? settings.Tls : settings.Tls with
            {
                Enabled = true,
                Certificate = TlsCertificate,
                PasswordFile = TlsPasswordFile ?? settings.Tls.PasswordFile,
                Trust = TlsCa is not null ? ClusterTlsTrust.Ca : TlsTrust.Count > 0 ? ClusterTlsTrust.Pinned : settings.Tls.Trust,
                TrustedCertificates = TlsTrust.Count > 0 ? TlsTrust.ToArray() : settings.Tls.TrustedCertificates,
                CaCertificate = TlsCa ?? settings.Tls.CaCertificate,
            },
        }).Validated();
    }

    /// <summary>The flags as launch-file overrides (<c>KEY=VALUE</c>), after <see cref="Validated"/>.</summary>
    public IEnumerable<string> Overrides()
    {
        Validated();
        if (!Any) yield break;
        yield return "gecko.cluster.enabled=on";
        if (Seeds.Count > 0) yield return $"gecko.cluster.seed-nodes={JsonSerializer.Serialize(Seeds.Select(s => s.Trim()))}";
        if (Host is not null) yield return $"gecko.cluster.hostname={Host}";
        if (Port is { } port) yield return $"gecko.cluster.port={port.ToString(CultureInfo.InvariantCulture)}";
        if (Roles.Count > 0) yield return $"gecko.cluster.roles={JsonSerializer.Serialize(Roles)}";
        if (TlsCertificate is null) yield break;
        // Full paths: the launch file's settings are read from the folder gecko launch runs in, like these flags.
        yield return "gecko.cluster.tls.enabled=on";
        yield return $"gecko.cluster.tls.certificate={Path.GetFullPath(TlsCertificate)}";
        if (TlsPasswordFile is not null) yield return $"gecko.cluster.tls.password-file={Path.GetFullPath(TlsPasswordFile)}";
        if (TlsTrust.Count > 0)
        {
            yield return "gecko.cluster.tls.trust=pinned";
            yield return $"gecko.cluster.tls.trusted-certificates={JsonSerializer.Serialize(TlsTrust.Select(t => File.Exists(t) ? Path.GetFullPath(t) : t.Trim()))}";
        }
        if (TlsCa is not null)
        {
            yield return "gecko.cluster.tls.trust=ca";
            yield return $"gecko.cluster.tls.ca-certificate={Path.GetFullPath(TlsCa)}";
        }
    }
}
