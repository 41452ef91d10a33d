using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Mesh.Cli.Tests.Infrastructure.Netns;

/// <summary>
/// Listening sockets inside a named network namespace, made by this test process: a socket belongs to the namespace
/// it was created in, whichever thread uses it later, so one thread enters the namespace (setns), creates and binds
/// it, and goes back. No process to start and wait for, and the socket is served with ordinary async code.
/// </summary>
public static partial class NamespaceSockets
{
    private const int CloneNewNet = 0x40000000;

    public static Socket Listen(string ns, IPEndPoint endpoint)
    {
        Socket? socket = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var home = File.OpenHandle("/proc/thread-self/ns/net");
                using var target = File.OpenHandle($"/run/netns/{ns}");
                Enter(target.DangerousGetHandle());
                try
                {
                    socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                    socket.Bind(endpoint);
                    socket.Listen();
                }
                finally
                {
                    Enter(home.DangerousGetHandle());
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or UnauthorizedAccessException)
            {
                socket?.Dispose();
                error = ex;
            }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException($"cannot listen on {endpoint} in namespace {ns}", error);
    }

    private static void Enter(nint namespaceFd)
    {
        if (SetNs((int)namespaceFd, CloneNewNet) != 0)
        {
            throw new IOException($"setns failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
