using System.Net;
using System.Net.Sockets;

namespace Mesh.Testing;

/// <summary>
/// A TCP proxy on loopback that injects faults in the application, with toxiproxy's vocabulary: latency (+ jitter),
/// bandwidth, slow close, timeout (0 = hang), reset peer, slicer and limit data. Toxics apply to the bytes flowing
/// <see cref="ToxicDirection.Downstream"/> (server to client) or <see cref="ToxicDirection.Upstream"/>, and can be
/// changed while connections are open. Randomness (jitter) is seeded. Made with <c>record: true</c>, it keeps every byte
/// it relays each way (<see cref="Recorded"/>), as a capture of what crossed the wire, up to <see cref="MaxRecorded"/>.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly Random _random;
    private readonly Task _accepting;
    private readonly MemoryStream[]? _recorded;
    private volatile Toxics _toxics = new();
    private int _connections;

    /// <summary>Relays to <paramref name="upstream"/> from <paramref name="listen"/> (default: a free port on 127.0.0.1).</summary>
    public TcpFaultProxy(IPEndPoint upstream, int seed = 1, IPEndPoint? listen = null, bool record = false)
    {
        _upstream = upstream;
        _random = new Random(seed);
        _recorded = record ? [new MemoryStream(), new MemoryStream()] : null;
        _listener = new TcpListener(listen ?? new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>The most bytes recorded each way.</summary>
    public const int MaxRecorded = 64 * 1024 * 1024;

    /// <summary>Gets the bytes relayed <paramref name="direction"/> so far, all connections in the order they came (empty unless recording).</summary>
    public byte[] Recorded(ToxicDirection direction)
    {
        if (_recorded is null)
        {
            return [];
        }

        lock (_recorded)
        {
            return _recorded[(int)direction].ToArray();
        }
    }

    /// <summary>Gets how many client connections the proxy accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Gets or sets the toxics now in force.</summary>
    public Toxics Toxics { get => _toxics; set => _toxics = value; }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(_upstream, _stop.Token);
        }
        catch (Exception)
        {
            client.Client.LingerState = new LingerOption(true, 0);
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var up = PumpAsync(client, server, ToxicDirection.Upstream, linked.Token);
        var down = PumpAsync(server, client, ToxicDirection.Downstream, linked.Token);
        await Task.WhenAny(up, down);
        await linked.CancelAsync();
        await Task.WhenAll(up.ContinueWith(static _ => { }, TaskScheduler.Default), down.ContinueWith(static _ => { }, TaskScheduler.Default));
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, ToxicDirection direction, CancellationToken cancel)
    {
        var buffer = new byte[16 * 1024];
        long forwarded = 0;
        var input = from.GetStream();
        var output = to.GetStream();
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(buffer, cancel);
                Record(direction, buffer.AsSpan(0, read));
                var toxics = _toxics;
                var applies = toxics.Direction == direction;
                if (read == 0)
                {
                    if (applies && toxics.SlowClose > TimeSpan.Zero)
                    {
                        await Task.Delay(toxics.SlowClose, cancel);
                    }

                    to.Client.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (!applies)
                {
                    await output.WriteAsync(buffer.AsMemory(0, read), cancel);
                    continue;
                }

                if (toxics.Timeout is { } timeout)
                {
                    // toxiproxy's timeout: stop all data; close after the timeout, or hang forever when it is 0.
                    if (timeout == TimeSpan.Zero)
                    {
                        await Task.Delay(Timeout.Infinite, cancel);
                    }

                    await Task.Delay(timeout, cancel);
                    return;
                }

                if (toxics.ResetPeer is { } resetAfter)
                {
                    await Task.Delay(resetAfter, cancel);
                    Reset(from);
                    Reset(to);
                    return;
                }

                var count = read;
                if (toxics.LimitData is { } limit)
                {
                    count = (int)Math.Max(0, Math.Min(read, limit - forwarded));
                }

                var chunk = toxics.SlicerBytes is { } slice and > 0 ? slice : count;
                for (var offset = 0; offset < count; offset += chunk)
                {
                    var length = Math.Min(chunk, count - offset);
                    var delay = toxics.Latency + Jitter(toxics.Jitter);
                    if (toxics.BandwidthBytesPerSecond is { } rate and > 0)
                    {
                        delay += TimeSpan.FromSeconds((double)length / rate);
                    }

                    if (delay > TimeSpan.Zero)
                    {
                        await Task.Delay(delay, cancel);
                    }

                    await output.WriteAsync(buffer.AsMemory(offset, length), cancel);
                }

                forwarded += count;
                if (toxics.LimitData is { } max && forwarded >= max)
                {
                    // toxiproxy's limit_data: close the connection once the limit is reached.
                    Reset(from);
                    Reset(to);
                    return;
                }
            }
        }
        catch (Exception) when (cancel.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Record(ToxicDirection direction, ReadOnlySpan<byte> bytes)
    {
        if (_recorded is null || bytes.IsEmpty)
        {
            return;
        }

        lock (_recorded)
        {
            var stream = _recorded[(int)direction];
            stream.Write(bytes[..(int)Math.Min(bytes.Length, MaxRecorded - stream.Length)]);
        }
    }

    private TimeSpan Jitter(TimeSpan jitter)
    {
        if (jitter <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        lock (_random)
        {
            return TimeSpan.FromTicks((long)(jitter.Ticks * ((_random.NextDouble() * 2) - 1)));
        }
    }

    private static void Reset(TcpClient client)
    {
        try
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Client.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}

/// <summary>Which way a toxic acts.</summary>
public enum ToxicDirection
{
    /// <summary>Server to client (responses).</summary>
    Downstream,

    /// <summary>Client to server (requests).</summary>
    Upstream,
}

/// <summary>The faults in force, toxiproxy's vocabulary.</summary>
public sealed record Toxics
{
    public ToxicDirection Direction { get; init; } = ToxicDirection.Downstream;

    /// <summary>Delay before each chunk.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Up to this much more or less delay, seeded.</summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>Bytes per second.</summary>
    public int? BandwidthBytesPerSecond { get; init; }

    /// <summary>Delay before passing on a close.</summary>
    public TimeSpan SlowClose { get; init; }

    /// <summary>Stop all data and close after this long; zero hangs forever.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Reset both connections (RST) this long after data arrives.</summary>
    public TimeSpan? ResetPeer { get; init; }

    /// <summary>Forward in slices of this many bytes.</summary>
    public int? SlicerBytes { get; init; }

    /// <summary>Close both connections once this many bytes passed.</summary>
    public long? LimitData { get; init; }
}
