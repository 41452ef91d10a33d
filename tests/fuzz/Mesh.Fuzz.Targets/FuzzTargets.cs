using System.Net;
using System.Text;
using System.Text.Json;
using Mesh.ProxyHost.Configuration;
using Mesh.Retries;
using Mesh.Tap;
using Mesh.Timeouts;
using Microsoft.Extensions.Configuration;

namespace Mesh.Fuzz.Targets;

/// <summary>
/// One function per parser Mesh reads untrusted or hand-written text with. Each takes the fuzzer's bytes, swallows
/// only the rejections the parser is documented to make (a false result, or a malformed-JSON exception before the
/// validator runs) and checks the invariants of what it accepts: any other exception is a finding. The AFL harness
/// (Mesh.Fuzz) and the corpus replay test (FuzzRegressionTests) call these same functions.
/// </summary>
public static class FuzzTargets
{
    /// <summary>The target names: the folder names under the corpus and the harness's argument.</summary>
    public static IReadOnlyList<string> Names { get; } = ["deadline", "retry-after", "tap-query", "listen-address", "config"];

    // A fixed clock for Retry-After dates, so a run replays the same way.
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan RetryAfterCap = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="target"/> over <paramref name="input"/>; throws on a finding.</summary>
    public static void Run(string target, ReadOnlySpan<byte> input)
    {
        switch (target)
        {
            case "deadline": Deadline(Encoding.UTF8.GetString(input)); break;
            case "retry-after": RetryAfter(Encoding.UTF8.GetString(input)); break;
            case "tap-query": TapQueryString(Encoding.UTF8.GetString(input)); break;
            case "listen-address": Listen(Encoding.UTF8.GetString(input)); break;
            case "config": Config(input.ToArray()); break;
            default: throw new ArgumentException($"unknown fuzz target '{target}'; one of {string.Join(", ", Names)}", nameof(target));
        }
    }

    // Both header parsers over the whole input, then Read over "mesh-timeout-ms value \n grpc-timeout value".
    private static void Deadline(string text)
    {
        if (DeadlineHeaders.TryParseMeshTimeout(text, out var mesh))
        {
            Check(mesh >= TimeSpan.Zero, $"mesh-timeout-ms '{text}' parsed to a negative {mesh}");
        }

        if (DeadlineHeaders.TryParseGrpcTimeout(text, out var grpc))
        {
            Check(grpc >= TimeSpan.Zero, $"grpc-timeout '{text}' parsed to a negative {grpc}");
        }

        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        var meshValue = newline < 0 ? text : text[..newline];
        var grpcValue = newline < 0 ? null : text[(newline + 1)..];
        if (DeadlineHeaders.Read(meshValue, grpcValue) is { } deadline)
        {
            Check(deadline >= TimeSpan.Zero, $"Read('{meshValue}', '{grpcValue}') gave a negative {deadline}");
            if (DeadlineHeaders.TryParseMeshTimeout(meshValue, out var m))
            {
                Check(deadline <= m, $"Read gave {deadline}, looser than mesh-timeout-ms {m}");
            }

            // What Mesh forwards must parse back.
            Check(DeadlineHeaders.TryParseGrpcTimeout(DeadlineHeaders.FormatGrpcTimeout(deadline), out _), $"FormatGrpcTimeout({deadline}) does not parse");
            Check(DeadlineHeaders.TryParseMeshTimeout(DeadlineHeaders.FormatMeshTimeout(deadline), out _), $"FormatMeshTimeout({deadline}) does not parse");
        }
    }

    // Retry-After as a backend may send it: added without validation, parsed lazily by HttpResponseHeaders.
    private static void RetryAfter(string text)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        if (!response.Headers.TryAddWithoutValidation("Retry-After", text))
        {
            return;
        }

        if (Backoff.RetryAfter(response, Now, RetryAfterCap) is { } wait)
        {
            Check(wait >= TimeSpan.FromMilliseconds(1) && wait <= RetryAfterCap, $"Retry-After '{text}' gave {wait}, outside [1 ms, {RetryAfterCap}]");
        }
    }

    // "k=v&k=v" as a tap query string; the first value of a key wins, as ASP.NET's Query[key] gives for one value.
    private static void TapQueryString(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text.Split('&'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            values.TryAdd(key, value);
        }

        if (!TapQuery.TryParse(key => values.GetValueOrDefault(key), out var query, out var error))
        {
            Check(error.Length > 0, $"tap query '{text}' rejected without a reason");
            return;
        }

        Check(query.Rate is >= 1 and <= 10_000, $"tap query '{text}' gave rate {query.Rate}");
        Check(query.Limit is null or >= 1, $"tap query '{text}' gave limit {query.Limit}");
        Check(query.Status is null or (>= 100 and <= 599), $"tap query '{text}' gave status {query.Status}");
        Check(query.StatusClass is null or (>= 1 and <= 5), $"tap query '{text}' gave status class {query.StatusClass}");
        Check(query.MinDurationMs is null or >= 0, $"tap query '{text}' gave min_ms {query.MinDurationMs}");
        query.Matches(new TapEvent(Now, "outbound", "orders", "GET", "orders", "/", 503, 12.5, "failure", "127.0.0.1:80", [], [], null, null));
    }

    // A listener address; what it accepts must print as an address that parses back to itself.
    private static void Listen(string text)
    {
        if (!ListenAddress.TryParse(text, out var address, out var reason))
        {
            Check(reason.Length > 0, $"listen address '{text}' rejected without a reason");
            return;
        }

        Check(address.Port is >= 0 and <= 65535, $"listen address '{text}' gave port {address.Port}");
        var printed = address.ToString();
        Check(ListenAddress.TryParse(printed, out var again, out _) && again == address, $"listen address '{text}' prints as '{printed}', which does not parse back");
    }

    // The sidecar's whole configuration from a JSON file. Malformed JSON is rejected by the provider before the
    // validator runs; the validator itself must collect errors, never throw.
    private static void Config(byte[] json)
    {
        IConfigurationRoot configuration;
        try
        {
            configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(json)).Build();
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidDataException)
        {
            return;
        }

        var errors = MeshConfigurationValidator.Validate(configuration);
        Check(errors.TrueForAll(e => e.Length > 0), "the validator reported an empty error");
    }

    private static void Check(bool condition, string finding)
    {
        if (!condition)
        {
            throw new FuzzFindingException(finding);
        }
    }
}

/// <summary>An invariant of a parser's result did not hold.</summary>
public sealed class FuzzFindingException(string message) : Exception(message);
