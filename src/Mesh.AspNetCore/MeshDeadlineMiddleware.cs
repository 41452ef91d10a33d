using Mesh.Timeouts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.AspNetCore;

/// <summary>
/// Adopts the deadline an incoming request carries (<c>mesh-timeout-ms</c> or <c>grpc-timeout</c>, the tighter one):
/// Mesh calls made while serving it share the remaining budget, <see cref="HttpContext.RequestAborted"/> fires when
/// it runs out, and a request that arrives with no time left is answered 504 without running the app.
/// </summary>
internal sealed class MeshDeadlineMiddleware(RequestDelegate next, IServiceProvider services)
{
    private readonly TimeProvider _time = services.GetService<TimeProvider>() ?? TimeProvider.System;

    public async Task InvokeAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        var deadline = IncomingDeadline.Read(headers[DeadlineHeaders.MeshTimeout].ToString(), headers[DeadlineHeaders.GrpcTimeout].ToString(), _time);
        if (!deadline.IsPresent)
        {
            await next(context);
            return;
        }

        if (deadline.HasPassed)
        {
            context.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
            await context.Response.WriteAsync($"Mesh: {IncomingDeadline.PassedMessage}\n");
            return;
        }

        using var expiry = new CancellationTokenSource(deadline.Budget, _time);
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, expiry.Token);
        var original = context.RequestAborted;
        context.RequestAborted = aborted.Token;
        using var scope = deadline.Begin();
        try
        {
            await next(context);
        }
        finally
        {
            context.RequestAborted = original;
        }
    }
}
