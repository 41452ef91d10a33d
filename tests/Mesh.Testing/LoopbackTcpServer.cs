using System.Net;
using System.Net.Sockets;

namespace Mesh.Testing;

/// <summary>
/// A TCP server on a loopback port of the OS's choosing, for tests below HTTP: it accepts until disposed and hands each
/// connection to <see cref="ServeAsync"/>, which owns it. Disposing stops accepting and cancels the connections.
/// </summary>
public abstract class LoopbackTcpServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private Task? _accepting;
    private int _connections;

    protected LoopbackTcpServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Gets the connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Starts accepting; called by the derived type once it is ready to serve.</summary>
    protected void BeginAccepting() => _accepting = AcceptAsync();

    /// <summary>Serves one connection; <paramref name="stop"/> is cancelled when the server is disposed.</summary>
    protected abstract Task ServeAsync(Socket socket, CancellationToken stop);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                _ = ServeOwnedAsync(socket);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException ||
            (ex is InvalidOperationException && _stop.IsCancellationRequested))
        {
            // Stopped (a loop that came round between Dispose's cancel and its stop finds the listener not listening).
        }
    }

    private async Task ServeOwnedAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                await ServeAsync(socket, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client went, or the test is over.
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _accepting?.Wait(TimeSpan.FromSeconds(10));
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
