using System.Security.Cryptography;

namespace Mesh.MultiHost.Tests.Infrastructure;

/// <summary>
/// Hosts made of Linux network namespaces, wired to one bridge that lives in a namespace of its own: each host has
/// an <c>eth0</c> with an address in 10.231.X.0/24 (X random per run), reachable from the other hosts and from nowhere
/// else; the root namespace gets no address, no route and no interface in that network. Names are unique per run,
/// and <see cref="DisposeAsync"/> kills every process started in the lab and deletes every namespace, whatever failed.
/// </summary>
public sealed class NetworkLab : IAsyncDisposable
{
    private const string NamePrefix = "meshmh-";

    private readonly List<string> _namespaces = [];
    private readonly List<NamespacedProcess> _processes = [];
    private readonly string _bridgeNs;

    private NetworkLab(string prefix, int subnet)
    {
        Prefix = prefix;
        Subnet = subnet;
        _bridgeNs = $"{prefix}-sw";
    }

    /// <summary>Gets the names' prefix, e.g. <c>meshmh-4711-3fa2</c> (test process id, random).</summary>
    public string Prefix { get; }

    /// <summary>Gets the processes started in the lab.</summary>
    public IReadOnlyList<NamespacedProcess> Processes
    {
        get
        {
            lock (_processes)
            {
                return [.. _processes];
            }
        }
    }

    /// <summary>Gets X of the lab's 10.231.X.0/24.</summary>
    public int Subnet { get; }

    public static async Task<NetworkLab> CreateAsync()
    {
        await RemoveAbandonedLabsAsync();

        // The test process's id is in the name, so a later run can tell a lab whose test process died from a live one.
        var lab = new NetworkLab($"{NamePrefix}{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}", RandomNumberGenerator.GetInt32(1, 255));
        try
        {
            await lab.AddNamespaceAsync(lab._bridgeNs);
            await Shell.IpAsync("-n", lab._bridgeNs, "link", "add", "br0", "type", "bridge");
            await Shell.IpAsync("-n", lab._bridgeNs, "link", "set", "br0", "up");
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }

        return lab;
    }

    /// <summary>The namespace of host <paramref name="host"/>.</summary>
    public string Ns(string host) => $"{Prefix}-{host}";

    /// <summary>The address of the host whose last octet is <paramref name="octet"/>.</summary>
    public string Address(int octet) => $"10.231.{Subnet}.{octet}";

    /// <summary>The IPv6 address of the host whose last octet is <paramref name="octet"/>: <c>fd00:231:X::octet</c> (hex), given by <see cref="AddIPv6Async"/>.</summary>
    public string IPv6Address(int octet) => $"fd00:231:{Subnet:x}::{octet:x}";

    /// <summary>Gives a host's <c>eth0</c> its IPv6 address too, usable at once (no duplicate address detection).</summary>
    public Task AddIPv6Async(string host, int octet) =>
        Shell.IpAsync("-n", Ns(host), "-6", "addr", "add", $"{IPv6Address(octet)}/64", "dev", "eth0", "nodad");

    /// <summary>Adds a host: a namespace with loopback up and <c>eth0</c> at 10.231.X.<paramref name="octet"/>/24 on the bridge.</summary>
    public async Task AddHostAsync(string host, int octet)
    {
        var ns = Ns(host);
        await AddNamespaceAsync(ns);
        var port = $"v-{host}";

        // Created inside the bridge's namespace with its peer moved straight into the host's: nothing touches the root namespace.
        await Shell.IpAsync("-n", _bridgeNs, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
        await Shell.IpAsync("-n", _bridgeNs, "link", "set", port, "master", "br0");
        await Shell.IpAsync("-n", _bridgeNs, "link", "set", port, "up");
        await Shell.IpAsync("-n", ns, "addr", "add", $"{Address(octet)}/24", "dev", "eth0");
        await Shell.IpAsync("-n", ns, "link", "set", "eth0", "up");
        await Shell.IpAsync("-n", ns, "link", "set", "lo", "up");
    }

    /// <summary>Takes a host's only link down, as a pulled cable would: its address stops answering, without resets.</summary>
    public Task LinkDownAsync(string host) => Shell.IpAsync("-n", Ns(host), "link", "set", "eth0", "down");

    /// <summary>Starts a process inside a host's namespace; it is killed when the lab goes.</summary>
    public NamespacedProcess Start(string name, string host, string program, IEnumerable<string> args, string? workingDirectory = null, IDictionary<string, string?>? environment = null)
    {
        var process = NamespacedProcess.Start(name, Ns(host), program, args, workingDirectory, environment);
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    /// <summary>Runs a command to completion inside a host's namespace.</summary>
    public Task<Shell.Result> ExecAsync(string host, string program, IEnumerable<string> args, TimeSpan? timeout = null) =>
        Shell.RunAsync("ip", ["netns", "exec", Ns(host), program, .. args], timeout);

    /// <summary>GETs <paramref name="url"/> from inside a host with curl (the namespace's loopback included): status and body.</summary>
    public async Task<(int Status, string Body)> CurlAsync(string host, string url, string? hostHeader = null)
    {
        string[] args = ["-s", "--max-time", "5", "-w", "\n%{http_code}", .. hostHeader is null ? Array.Empty<string>() : ["-H", $"Host: {hostHeader}"], url];
        var result = await ExecAsync(host, "curl", args, TimeSpan.FromSeconds(10));
        var text = result.Output.TrimEnd('\n');
        var split = text.LastIndexOf('\n');
        var status = int.TryParse(split < 0 ? text : text[(split + 1)..], out var code) ? code : 0;
        return (status, split < 0 ? "" : text[..split]);
    }

    /// <summary>
    /// Deletes labs left behind by a test process that was killed before it could clean up (namespaces named
    /// <c>meshmh-PID-…</c> whose PID is gone), ending the processes still running inside them, by id.
    /// </summary>
    private static async Task RemoveAbandonedLabsAsync()
    {
        var list = await Shell.RunAsync("ip", ["netns", "list"]);
        foreach (var line in list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var ns = line.Split(' ')[0];
            if (!ns.StartsWith(NamePrefix, StringComparison.Ordinal) ||
                !int.TryParse(ns[NamePrefix.Length..].Split('-')[0], out var owner) ||
                owner == Environment.ProcessId || Directory.Exists($"/proc/{owner}"))
            {
                continue;
            }

            var pids = await Shell.RunAsync("ip", ["netns", "pids", ns]);
            foreach (var pid in pids.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(pid, out var id))
                {
                    try
                    {
                        using var process = System.Diagnostics.Process.GetProcessById(id);
                        process.Kill();
                    }
                    catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                    {
                        // Already gone.
                    }
                }
            }

            await Shell.RunAsync("ip", ["netns", "del", ns]);
        }
    }

    private async Task AddNamespaceAsync(string ns)
    {
        await Shell.IpAsync("netns", "add", ns);
        _namespaces.Add(ns);
    }

    public async ValueTask DisposeAsync()
    {
        NamespacedProcess[] processes;
        lock (_processes)
        {
            processes = [.. _processes];
        }

        foreach (var process in processes)
        {
            await process.DisposeAsync();
        }

        // Deleting a namespace removes its interfaces too (the veth pairs and the bridge).
        foreach (var ns in Enumerable.Reverse(_namespaces))
        {
            await Shell.RunAsync("ip", ["netns", "del", ns]);
        }
    }
}
