using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Mesh.ProxyHost.Features.Transparent;

/// <summary>
/// Kestrel's transport for <see cref="InProcessEndPoint"/>s: binding one opens nothing, and its listener accepts no
/// connection until Kestrel unbinds it. The sockets transport keeps every other endpoint (each transport says which
/// endpoints it can bind).
/// </summary>
internal sealed class InProcessTransport : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is InProcessEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IConnectionListener>(new Listener(endpoint));

    private sealed class Listener(EndPoint endpoint) : IConnectionListener
    {
        private readonly TaskCompletionSource _unbound = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public EndPoint EndPoint => endpoint;

        // Waits until unbound, then says there is nothing more to accept (null), which ends Kestrel's accept loop.
        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            await _unbound.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            _unbound.TrySetResult();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => UnbindAsync();
    }
}
