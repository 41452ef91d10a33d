using System.Security.Cryptography;

namespace Mesh.ProxyHost.Tests.Infrastructure;

/// <summary>
/// A read-only stream of <c>length</c> pseudo-random bytes made as they are read, so a test can send or serve a body
/// far larger than it would want to hold in memory; the same length and seed always give the same bytes. Read
/// asynchronously, it can stop for <see cref="Pause"/> once <see cref="PauseAfter"/> bytes are out, as a slow sender would.
/// </summary>
public sealed class GeneratedStream(long length, ulong seed = 0x9E3779B97F4A7C15) : Stream
{
    private ulong _state = seed | 1;
    private long _position;
    private bool _paused;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    /// <summary>Gets the bytes after which an asynchronous read waits for <see cref="Pause"/> (once); -1 for never.</summary>
    public long PauseAfter { get; init; } = -1;

    public TimeSpan Pause { get; init; }

    /// <summary>Gets what runs after each asynchronous read (e.g. <see cref="MemoryProbe.Sample"/>), so a measurement samples while the bytes move.</summary>
    public Action? AfterRead { get; init; }

    /// <summary>The SHA-256 (lowercase hex) of the bytes such a stream yields.</summary>
    public static string Sha256(long length, ulong seed = 0x9E3779B97F4A7C15)
    {
        using var stream = new GeneratedStream(length, seed);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, length - _position);

        // Whole 8-byte words of xorshift64*; the stream's position is always a multiple of 8 except at its very end.
        var written = 0;
        Span<byte> word = stackalloc byte[8];
        while (written < n)
        {
            _state ^= _state >> 12;
            _state ^= _state << 25;
            _state ^= _state >> 27;
            BitConverter.TryWriteBytes(word, _state * 0x2545F4914F6CDD1D);
            var take = Math.Min(8, n - written);
            word[..take].CopyTo(buffer[written..]);
            written += take;
        }

        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_paused && PauseAfter >= 0)
        {
            if (_position >= PauseAfter)
            {
                _paused = true;
                await Task.Delay(Pause, cancellationToken);
            }
            else if (_position + buffer.Length > PauseAfter)
            {
                buffer = buffer[..(int)(PauseAfter - _position)];
            }
        }

        var read = Read(buffer.Span);
        AfterRead?.Invoke();
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
