using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Mesh.Testing;

/// <summary>A backend for byte counts: it reads every request body whole, then answers with as many bytes as asked.</summary>
public static class SizedBodies
{
    /// <summary>
    /// Reads the request body (its length goes back in <c>x-read</c>), then writes <c>?size=</c> bytes in flushed 16 KiB
    /// chunks (chunked: no Content-Length); or answers 503 while <paramref name="attempt"/> is at most <c>?fail=</c>.
    /// </summary>
    public static RequestDelegate Handler(Func<int>? attempt = null) => async ctx =>
    {
        var read = 0;
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await ctx.Request.Body.ReadAsync(buffer)) > 0)
        {
            read += n;
        }

        if (attempt is not null && int.TryParse(ctx.Request.Query["fail"], out var fail) && attempt() <= fail)
        {
            ctx.Response.StatusCode = 503;
            return;
        }

        ctx.Response.Headers["x-read"] = read.ToString(CultureInfo.InvariantCulture);
        var size = int.Parse(ctx.Request.Query["size"]!, CultureInfo.InvariantCulture);
        for (var written = 0; written < size; written += buffer.Length)
        {
            await ctx.Response.Body.WriteAsync(buffer.AsMemory(0, Math.Min(buffer.Length, size - written)));
            await ctx.Response.Body.FlushAsync();
        }
    };
}
