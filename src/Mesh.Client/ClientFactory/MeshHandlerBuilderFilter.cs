using System.Collections.Concurrent;
using Mesh.Pipeline;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.Client.ClientFactory;

/// <summary>
/// Finishes a meshed client's handlers once all of its configuration has run (a filter runs after every configuration
/// action, whatever order the application called things in), so that a client has exactly one Mesh layer and Mesh's own
/// connection pools:
/// <list type="number">
/// <item>one Mesh handler: the last <c>AddMesh</c> wins (a client's own runs after <c>ConfigureHttpClientDefaults</c>'), the others go;</item>
/// <item>no second resolution: Microsoft.Extensions.ServiceDiscovery's handler goes (<see cref="ServiceDiscoveryHandlers"/>);</item>
/// <item>no second retry layer: a resilience or Polly handler is an error (<see cref="OtherResilienceLayers"/>);</item>
/// <item>Mesh's connection pools as the primary handler, made like the client's <see cref="SocketsHttpHandler"/> (the
/// factory's, Grpc.Net.ClientFactory's or the application's); a primary handler of another kind is kept as it is.</item>
/// </list>
/// </summary>
internal sealed partial class MeshHandlerBuilderFilter(MeshHttpHandlerFactory factory, ILogger<MeshHandlerBuilderFilter> logger) : IHttpMessageHandlerBuilderFilter
{
    private readonly ConcurrentDictionary<string, byte> _warned = new(StringComparer.Ordinal);

    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        next(builder);
        var handlers = builder.AdditionalHandlers;
        var mesh = handlers.LastOrDefault(static h => h is MeshHttpHandler) as MeshHttpHandler;
        if (mesh is null)
        {
            return;
        }

        var client = builder.Name ?? "";
        for (var i = handlers.Count - 1; i >= 0; i--)
        {
            var handler = handlers[i];
            if ((handler is MeshHttpHandler && handler != mesh) || ServiceDiscoveryHandlers.Is(handler))
            {
                handlers.RemoveAt(i);
                handler.Dispose();
            }
            else if (OtherResilienceLayers.NameOf(handler) is { } layer)
            {
                throw new MeshClientConflictException(OtherResilienceLayers.Conflict(client, layer));
            }
        }

        if (builder.PrimaryHandler is SocketsHttpHandler template)
        {
            builder.PrimaryHandler = factory.CreatePrimaryHandler(mesh, template);
            template.Dispose();
        }
        else if (_warned.TryAdd(client, 0))
        {
            Log.OwnPrimaryHandler(logger, ClientNames.Describe(client), builder.PrimaryHandler?.GetType().FullName ?? "none");
        }
    };

    private static partial class Log
    {
        [LoggerMessage(60, LogLevel.Warning, "Mesh: the HttpClient {Client} sends through its own primary handler ({Handler}), kept as it is; Mesh cannot make its connection pools from it, so Mesh:Services:{{service}}:Upstream:IdleTimeout does not apply to its connections. Configure a SocketsHttpHandler instead (UseSocketsHttpHandler), which Mesh's pools copy.")]
        public static partial void OwnPrimaryHandler(ILogger logger, string client, string handler);
    }
}
