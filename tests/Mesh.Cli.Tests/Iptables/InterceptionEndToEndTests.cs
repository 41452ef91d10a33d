using System.Net;
using Mesh.Cli.Tests.Infrastructure.Netns;
using Mesh.MultiHost.Tests.Infrastructure;

namespace Mesh.Cli.Tests.Iptables;

/// <summary>
/// Two hosts of a namespace lab: <c>app</c>, where <c>mesh iptables apply</c> runs and stand-ins listen on the
/// sidecar's ports (each answering with its name and the connection's original destination), and <c>srv</c>, a server
/// elsewhere. Requests are curl's, from inside the namespaces; the answer says where the rules sent each one.
/// </summary>
public class InterceptionEndToEndTests
{
    private const int AppPort = 8080;
    private const int SkippedPort = 9090;

    [NetnsFact]
    public async Task Apply_SendsTheAppsTcpToTheSidecar_ButForItsOwnUserLoopbackAndSkippedPorts_AndRemove_UndoesIt()
    {
        await using var lab = await NetworkLab.CreateAsync();
        await lab.AddHostAsync("app", 1);
        await lab.AddHostAsync("srv", 2);
        var app = lab.Address(1);
        var srv = lab.Address(2);
        var any = IPAddress.Any;
        await using var outbound = NameServer.Start("outbound-sidecar", lab.Ns("app"), new IPEndPoint(IPAddress.Loopback, 4140));
        await using var inbound = NameServer.Start("inbound-sidecar", lab.Ns("app"), new IPEndPoint(any, 4143));
        await using var admin = NameServer.Start("admin", lab.Ns("app"), new IPEndPoint(any, 4191));
        await using var application = NameServer.Start("application", lab.Ns("app"), new IPEndPoint(any, AppPort));
        await using var server = NameServer.Start("server", lab.Ns("srv"), new IPEndPoint(any, AppPort));
        await using var skipped = NameServer.Start("server", lab.Ns("srv"), new IPEndPoint(any, SkippedPort));

        Assert.StartsWith("server ", await BodyAsync(lab, "app", $"http://{srv}:{AppPort}/"), StringComparison.Ordinal);

        await NamespacedCli.RunOkAsync(lab, "app", "iptables", "apply", "--skip-outbound-ports", $"{SkippedPort}");

        // Outbound: the application's request reaches the sidecar, which can tell where it was going.
        Assert.Equal($"outbound-sidecar {srv}:{AppPort}", await BodyAsync(lab, "app", $"http://{srv}:{AppPort}/"));

        // The sidecar's own user goes straight out (or the sidecar would call itself forever).
        Assert.StartsWith("server ", await BodyAsync(lab, "app", $"http://{srv}:{AppPort}/", asUid: 2102), StringComparison.Ordinal);

        // A skipped port, and loopback (the pod talking to itself), are left alone.
        Assert.StartsWith("server ", await BodyAsync(lab, "app", $"http://{srv}:{SkippedPort}/"), StringComparison.Ordinal);
        Assert.StartsWith("application ", await BodyAsync(lab, "app", $"http://127.0.0.1:{AppPort}/"), StringComparison.Ordinal);

        // Inbound: a request for the application reaches the inbound sidecar; the admin port is never redirected.
        Assert.Equal($"inbound-sidecar {app}:{AppPort}", await BodyAsync(lab, "srv", $"http://{app}:{AppPort}/"));
        Assert.StartsWith("admin ", await BodyAsync(lab, "srv", $"http://{app}:4191/"), StringComparison.Ordinal);

        await NamespacedCli.RunOkAsync(lab, "app", "iptables", "remove");

        Assert.StartsWith("server ", await BodyAsync(lab, "app", $"http://{srv}:{AppPort}/"), StringComparison.Ordinal);
        Assert.StartsWith("application ", await BodyAsync(lab, "srv", $"http://{app}:{AppPort}/"), StringComparison.Ordinal);
    }

    private static async Task<string> BodyAsync(NetworkLab lab, string host, string url, int? asUid = null)
    {
        string[] curl = ["curl", "-sS", "--max-time", "5", url];
        string[] command = asUid is { } uid ? ["setpriv", $"--reuid={uid}", $"--regid={uid}", "--clear-groups", .. curl] : curl;
        var result = await lab.ExecAsync(host, command[0], command[1..], TimeSpan.FromSeconds(10));
        Assert.True(result.Ok, $"{string.Join(' ', command)} in {host} failed ({result.ExitCode}): {result.Error}");
        return result.Output;
    }
}
