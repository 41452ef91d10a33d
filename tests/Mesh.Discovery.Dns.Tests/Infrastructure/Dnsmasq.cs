using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DnsClient;

namespace Mesh.Discovery.Dns.Tests.Infrastructure;

/// <summary>An SRV record dnsmasq serves (<c>srv-host</c>, in the main configuration: changing it takes a restart).</summary>
public sealed record Srv(string Name, string Target, int Port, int Priority = 0, int Weight = 10);

/// <summary>
/// A real dnsmasq on 127.0.0.1 and a free high port, started by the test (<c>dnsmasq -k -C file</c>) and killed on
/// dispose. SRV records live in the main configuration, which dnsmasq reads only at start, so <see cref="SetSrvAsync"/>
/// restarts it on the same port; host addresses live in an <c>addn-hosts</c> file (absolute path), which dnsmasq
/// re-reads on SIGHUP, so <see cref="SetHostsAsync"/> does not. Queries are logged, so a test can tell what was asked.
/// </summary>
public sealed class Dnsmasq : IAsyncDisposable
{
    private readonly string _folder;
    private readonly int _localTtl;
    private readonly string[] _extraLines;
    private readonly ConcurrentQueue<string> _log = new();
    private IReadOnlyList<Srv> _srv;
    private Process? _process;

    private Dnsmasq(string folder, int port, int localTtl, IReadOnlyList<Srv> srv, string[] extraLines)
    {
        _folder = folder;
        Port = port;
        _localTtl = localTtl;
        _srv = srv;
        _extraLines = extraLines;
    }

    public int Port { get; }

    /// <summary>Gets the server as <see cref="MeshDnsOptions.Servers"/> takes it.</summary>
    public string Server => $"127.0.0.1:{Port}";

    public string ConfigFile => Path.Combine(_folder, "dnsmasq.conf");

    public string HostsFile => Path.Combine(_folder, "hosts");

    /// <summary>Gets dnsmasq's log so far (stderr and stdout).</summary>
    public IReadOnlyList<string> Log => [.. _log];

    /// <summary>The dnsmasq binary, or null when it is not installed.</summary>
    public static string? Binary =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin"])
            .Select(dir => Path.Combine(dir, "dnsmasq"))
            .FirstOrDefault(File.Exists);

    /// <summary>Starts dnsmasq serving <paramref name="srv"/> and <paramref name="hosts"/> with every answer's TTL at <paramref name="localTtl"/> s.</summary>
    /// <param name="extraLines">More configuration lines, e.g. <c>host-record=name,addr,ttl</c>.</param>
    public static async Task<Dnsmasq> StartAsync(IEnumerable<Srv>? srv = null, IEnumerable<(string Name, string Address)>? hosts = null, int localTtl = 1, params string[] extraLines)
    {
        var folder = Directory.CreateTempSubdirectory("mesh-dnsmasq-").FullName;

        // dnsmasq runs as 'nobody' once started and re-reads the hosts file as that user on SIGHUP.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var dns = new Dnsmasq(folder, FreePort.UdpAndTcp(), localTtl, [.. srv ?? []], extraLines);
        await dns.WriteHostsAsync(hosts ?? []);
        try
        {
            await dns.StartProcessAsync();
        }
        catch
        {
            await dns.DisposeAsync();
            throw;
        }

        return dns;
    }

    /// <summary>Replaces the SRV records: rewrites the configuration and restarts dnsmasq on the same port.</summary>
    public async Task SetSrvAsync(IEnumerable<Srv> srv)
    {
        _srv = [.. srv];
        await StopAsync();
        await StartAgainAsync();
    }

    /// <summary>Replaces the host addresses: rewrites the addn-hosts file and sends SIGHUP, then waits until dnsmasq re-read it.</summary>
    public async Task SetHostsAsync(IEnumerable<(string Name, string Address)> hosts)
    {
        var before = _log.Count(static l => l.Contains("read ", StringComparison.Ordinal) && l.Contains("/hosts", StringComparison.Ordinal));
        await WriteHostsAsync(hosts);
        using (var hup = Process.Start(new ProcessStartInfo("kill", ["-HUP", _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
        {
            await hup.WaitForExitAsync();
        }

        for (var i = 0; i < 100 && _log.Count(static l => l.Contains("read ", StringComparison.Ordinal) && l.Contains("/hosts", StringComparison.Ordinal)) <= before; i++)
        {
            await Task.Delay(20);
        }
    }

    /// <summary>Stops dnsmasq (SIGKILL), leaving its port closed until <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>
    /// Starts dnsmasq again on the same port. Right after a stop the port can still be held (a socket of the old
    /// process not yet released, or an ephemeral client socket that happened to take it): try again a few times.
    /// </summary>
    public async Task StartAgainAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartProcessAsync();
                return;
            }
            catch (InvalidOperationException ex) when (attempt < 20 && ex.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
                await Task.Delay(250);
            }
        }
    }

    /// <summary>Whether dnsmasq was asked about <paramref name="name"/> (any type).</summary>
    public bool WasQueried(string name) =>
        _log.Any(l => l.Contains("query[", StringComparison.Ordinal) && l.Contains($" {name.TrimEnd('.')} from", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Waits until dnsmasq has logged every query it received so far: it logs in order, so once a query for a fresh
    /// marker name shows up, everything before it has too.
    /// </summary>
    public async Task FlushLogAsync()
    {
        var marker = $"flush-{Guid.NewGuid():N}.test";
        var client = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, Port)) { UseCache = false, Retries = 2, Timeout = TimeSpan.FromMilliseconds(500), ThrowDnsErrors = false });
        await client.QueryAsync(marker, QueryType.A);
        for (var i = 0; i < 200 && !WasQueried(marker); i++)
        {
            await Task.Delay(10);
        }
    }

    /// <summary>The queries dnsmasq logged (marker and readiness queries left out), e.g. <c>query[SRV] _http._tcp.orders... from 127.0.0.1</c>.</summary>
    public IReadOnlyList<string> Queries =>
        [.. _log.Where(static l => l.Contains("query[", StringComparison.Ordinal) && !l.Contains("flush-", StringComparison.Ordinal) && !l.Contains("ready.probe.test", StringComparison.Ordinal))];

    private Task WriteHostsAsync(IEnumerable<(string Name, string Address)> hosts) =>
        File.WriteAllLinesAsync(HostsFile, hosts.Select(static h => $"{h.Address} {h.Name}"));

    private async Task StartProcessAsync()
    {
        var binary = Binary ?? throw new InvalidOperationException("dnsmasq is not installed (Debian package dnsmasq-base; test.sh installs it).");
        string[] config =
        [
            $"port={Port}",
            "listen-address=127.0.0.1",
            "bind-interfaces",
            "no-resolv",
            "no-hosts",
            "no-poll",
            "log-queries",
            "log-facility=-",
            $"local-ttl={_localTtl}",
            $"pid-file={Path.Combine(_folder, "dnsmasq.pid")}",

            // Answer for these domains alone, NXDOMAIN for names it lacks (with no upstream it would refuse them).
            "local=/test/",
            "local=/cluster.local/",
            $"addn-hosts={HostsFile}",
            .. _srv.Select(static s => $"srv-host={s.Name},{s.Target},{s.Port},{s.Priority},{s.Weight}"),
            .. _extraLines,
        ];
        await File.WriteAllLinesAsync(ConfigFile, config);

        var process = new Process
        {
            StartInfo = new ProcessStartInfo(binary, ["-k", "-C", ConfigFile])
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            },
        };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"dnsmasq ({binary}) did not start.");
        }

        _process = process;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        await WaitUntilAnsweringAsync(process);
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            _log.Enqueue(line);
        }
    }

    private async Task WaitUntilAnsweringAsync(Process process)
    {
        var client = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, Port))
        {
            UseCache = false,
            Retries = 0,
            Timeout = TimeSpan.FromMilliseconds(200),
            ThrowDnsErrors = false,
        });
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"dnsmasq exited with code {process.ExitCode}: {string.Join(" | ", _log)}");
            }

            try
            {
                // Any answer (NXDOMAIN included) means it is listening.
                await client.QueryAsync("ready.probe.test", QueryType.A);
                return;
            }
            catch (DnsResponseException)
            {
                await Task.Delay(20);
            }
        }

        throw new InvalidOperationException($"dnsmasq did not answer on 127.0.0.1:{Port} within 10 s: {string.Join(" | ", _log)}");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
