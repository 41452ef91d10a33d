using System.Globalization;
using Mesh.Cli.Tests.Infrastructure.Netns;
using Mesh.MultiHost.Tests.Infrastructure;

namespace Mesh.Cli.Tests.Transparent;

/// <summary>
/// A pod and its neighbours, made of network namespaces: host <c>app</c> (.1), where <c>mesh iptables apply</c> runs
/// (IPv4 and IPv6 rules) and the real sidecar binary runs as uid 2102 (the user the rules exempt) in front of an
/// application on ports 8080 (the configured target) and 9091; hosts <c>srv</c> (.2) and <c>srv2</c> (.3) with unchanged
/// servers: Python HTTP servers, a Python gRPC server (Debian's python3-grpcio), Debian's redis-server, a
/// server-speaks-first banner server, byte-blob servers. Every host has an IPv6 address too, and the Python servers
/// listen on both families. Service <c>backend</c> is configured with srv:8080 and srv2:8080 (srv2 failing every other
/// request with 503); everything else the application dials is only where it dialled. In <c>app</c>, the name
/// <c>blobs.lab</c> is srv (a hosts file of its own), for CONNECT to a name with <c>AllowUnknownHosts</c>. Made once for
/// the tests of <see cref="TransparentSidecarTests"/>.
/// </summary>
public sealed class TransparentLab : IAsyncLifetime
{
    public const int AppPort = 8080;
    public const int SecondAppPort = 9091;
    public const int AppBannerPort = 2526;
    public const int BackendPort = 8080;
    public const int ImplicitPort = 8081;
    public const int BannerPort = 2525;
    public const int BlobPort = 9009;
    public const int VirtualHttpPort = 8082;
    public const int VirtualBlobPort = 9010;
    public const int GrpcPort = 50051;
    public const int RedisPort = 6379;
    public const int FinFirstPort = 9011;
    public const int PolicyPort = 8083;
    public const string LabName = "blobs.lab";
    public const int BlobSize = 10 * 1024 * 1024;

    /// <summary>The last octet of a virtual address no host has: services <c>web</c> and <c>blobs</c> stand behind it.</summary>
    public const int VirtualOctet = 99;

    private static readonly Dictionary<string, string?> DotnetEnvironment = new()
    {
        ["DOTNET_gcServer"] = "0",
        ["ASPNETCORE_URLS"] = "",
        ["DOTNET_URLS"] = "",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
    };

    private NetworkLab? _lab;
    private string? _hostsFolder;
    private string? _reports;

    public NetworkLab Lab => _lab ?? throw new InvalidOperationException("The lab could not be made here (not root, or no ip netns).");

    public NamespacedProcess? Sidecar { get; private set; }

    public string App => Lab.Address(1);

    public string Srv => Lab.Address(2);

    public string Srv2 => Lab.Address(3);

    public string Virtual => Lab.Address(VirtualOctet);

    public string App6 => Lab.IPv6Address(1);

    public string Srv6 => Lab.IPv6Address(2);

    /// <summary>Gets the file the server-first-FIN server appends its lines to (<c>ID SHA256</c>, lab_servers.py finfirst).</summary>
    public string FinFirstReport => Path.Combine(_reports ?? throw new InvalidOperationException("no lab"), "finfirst.txt");

    public static string Python => "/usr/bin/python3";

    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Transparent", name);

    public async Task InitializeAsync()
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess || Tools.Find("ip") is null)
        {
            return; // The tests skip themselves (NetnsFact) where no lab can be made.
        }

        _lab = await NetworkLab.CreateAsync();
        await Lab.AddHostAsync("app", 1);
        await Lab.AddHostAsync("srv", 2);
        await Lab.AddHostAsync("srv2", 3);
        foreach (var (host, octet) in new[] { ("app", 1), ("srv", 2), ("srv2", 3) })
        {
            await Lab.AddIPv6Async(host, octet);
        }

        // ip netns exec puts /etc/netns/NS/hosts over /etc/hosts for what it runs in NS: the sidecar resolves blobs.lab.
        _hostsFolder = Path.Combine("/etc/netns", Lab.Ns("app"));
        Directory.CreateDirectory(_hostsFolder);
        await File.WriteAllTextAsync(Path.Combine(_hostsFolder, "hosts"), $"127.0.0.1 localhost\n::1 localhost\n{Srv} {LabName}\n");
        _reports = Directory.CreateTempSubdirectory("mesh-lab-").FullName;

        Server("srv", "http", Port(BackendPort), "srv");
        Server("srv", "http", Port(ImplicitPort), "implicit");
        Server("srv", "banner", Port(BannerPort));
        Server("srv", "blob", Port(BlobPort), BlobSize.ToString(CultureInfo.InvariantCulture));
        Server("srv", "http", Port(VirtualHttpPort), "web");
        Server("srv", "blob", Port(VirtualBlobPort), BlobSize.ToString(CultureInfo.InvariantCulture));
        Server("srv", "grpc", Port(GrpcPort));
        Server("srv", "finfirst", Port(FinFirstPort), Port(1024 * 1024), FinFirstReport);
        Server("srv", "policy", Port(PolicyPort));
        Lab.Start("srv redis", "srv", "redis-server", ["--port", Port(RedisPort), "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no"]);
        Server("srv2", "http", Port(BackendPort), "srv2", "fail-every-other");
        Server("app", "http", Port(AppPort), "app");
        Server("app", "http", Port(SecondAppPort), "app-second");
        Server("app", "banner", Port(AppBannerPort));

        await NamespacedCli.RunOkAsync(Lab, "app", "iptables", "apply");

        // The real sidecar, as the user the rules exempt: its own connections go out as they are, never back to it.
        Sidecar = Lab.Start("app sidecar", "app", "setpriv", ["--reuid=2102", "--regid=2102", "--clear-groups", "env", "HOME=/tmp", Command.Dotnet, Tools.Sidecar,
            "--Mesh:Proxy:Outbound:Listen=127.0.0.1:4140",
            "--Mesh:Proxy:Inbound:Listen=0.0.0.0:4143",
            $"--Mesh:Proxy:Inbound:Target=http://127.0.0.1:{AppPort}",
            "--Mesh:Proxy:Inbound:Service=app",
            "--Mesh:Admin:Listen=127.0.0.1:4191",
            // Generous, for a loaded machine: an HTTP client that takes this long to send its request is taken for a
            // server-first one (and still forwarded, as opaque TCP).
            "--Mesh:Proxy:DetectTimeout=3s",
            // CONNECT to a name (blobs.lab), resolved once; transparent routing does not read it.
            "--Mesh:Proxy:Outbound:AllowUnknownHosts=true",
            $"--Services:backend:http:0=http://{Srv}:{BackendPort}",
            $"--Services:backend:http:1=http://{Srv2}:{BackendPort}",

            // Virtual addresses (a ClusterIP, say): port 80 is service web's, port 9009 service blobs'.
            $"--Mesh:Services:web:Addresses:0={Virtual}:80",
            $"--Services:web:http:0=http://{Srv}:{VirtualHttpPort}",
            $"--Mesh:Services:blobs:Addresses:0={Virtual}:{BlobPort}",
            $"--Services:blobs:http:0=http://{Srv}:{VirtualBlobPort}"], environment: DotnetEnvironment);

        await WaitForAsync("app", "http://127.0.0.1:4191/ready");
        foreach (var (host, url) in new[] { ("srv", $"http://127.0.0.1:{BackendPort}/"), ("srv", $"http://127.0.0.1:{ImplicitPort}/"), ("srv", $"http://127.0.0.1:{VirtualHttpPort}/"), ("srv2", $"http://127.0.0.1:{BackendPort}/"), ("app", $"http://127.0.0.1:{AppPort}/"), ("app", $"http://127.0.0.1:{SecondAppPort}/") })
        {
            await WaitForAsync(host, url);
        }

        await WaitForPortAsync("srv", GrpcPort);
        await WaitForPortAsync("srv", RedisPort);
        await WaitForPortAsync("srv", BannerPort);
        await WaitForPortAsync("srv", BlobPort);
        await WaitForPortAsync("srv", VirtualBlobPort);
        await WaitForPortAsync("app", AppBannerPort);
        await WaitForPortAsync("srv", FinFirstPort);
        await WaitForPortAsync("srv", PolicyPort);
    }

    /// <summary>The sidecar's <c>/metrics</c>, read from inside the pod.</summary>
    public async Task<string> MetricsAsync() => (await Lab.CurlAsync("app", "http://127.0.0.1:4191/metrics")).Body;

    /// <summary>Polls <c>/metrics</c> until <paramref name="condition"/> holds on it (the exporter caches a scrape for a moment), and returns it.</summary>
    public async Task<string> MetricsUntilAsync(Func<string, bool> condition, string what)
    {
        var text = "";
        for (var i = 0; i < 100; i++)
        {
            text = await MetricsAsync();
            if (condition(text))
            {
                return text;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"/metrics never showed {what}; sidecar log:\n{Sidecar?.Tail}\n/metrics:\n{string.Join('\n', text.Split('\n').Where(l => l.StartsWith("mesh_", StringComparison.Ordinal)))}");
        return text;
    }

    /// <summary>Runs a lab client (lab_clients.py) in <paramref name="host"/> and returns its output.</summary>
    public async Task<string> ClientAsync(string host, params string[] args)
    {
        var result = await Lab.ExecAsync(host, Python, [Script("lab_clients.py"), .. args], TimeSpan.FromMinutes(3));
        Assert.True(result.Ok, $"lab_clients.py {string.Join(' ', args)} in {host} failed ({result.ExitCode}): {result.Error}\nsidecar:\n{Sidecar?.Tail}");
        return result.Output.Trim();
    }

    private void Server(string host, params string[] args) =>
        Lab.Start($"{host} {args[0]} {args[1]}", host, Python, [Script("lab_servers.py"), .. args]);

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private async Task WaitForAsync(string host, string url)
    {
        for (var i = 0; i < 300; i++)
        {
            if ((await Lab.CurlAsync(host, url)).Status is >= 200 and < 600)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"{url} in {host} never answered; processes:\n{string.Join("\n", Lab.Processes.Select(p => $"{p.Name}: {p.Tail}"))}");
    }

    private async Task WaitForPortAsync(string host, int port)
    {
        for (var i = 0; i < 300; i++)
        {
            if ((await Lab.ExecAsync(host, Python, ["-c", $"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=1).close()"])).Ok)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"nothing listens on {port} in {host}; processes:\n{string.Join("\n", Lab.Processes.Select(p => $"{p.Name}: {p.Tail}"))}");
    }

    public async Task DisposeAsync()
    {
        if (_lab is not null)
        {
            await _lab.DisposeAsync();
        }

        foreach (var folder in new[] { _hostsFolder, _reports })
        {
            if (folder is not null && Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
