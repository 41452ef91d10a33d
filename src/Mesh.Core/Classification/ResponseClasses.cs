using Mesh.Configuration;

namespace Mesh.Classification;

/// <summary>
/// The statuses a classifier counts as failures and as retryable, compiled once from <see cref="ClassificationOptions"/>
/// when a policy is built: HTTP statuses as bitsets, gRPC statuses as a mask, so classifying an attempt reads two bits.
/// </summary>
internal sealed class ResponseClasses
{
    /// <summary>Mesh's documented rules.</summary>
    public static readonly ResponseClasses Default = new(
        StatusCodeSet.Parse(ClassificationOptions.DefaultFailureStatuses, nameof(ClassificationOptions.FailureStatuses)),
        StatusCodeSet.Parse(ClassificationOptions.DefaultRetryableStatuses, nameof(ClassificationOptions.RetryableStatuses)),
        GrpcCodeSet.Parse(ClassificationOptions.DefaultFailureGrpcStatuses, nameof(ClassificationOptions.FailureGrpcStatuses)),
        GrpcCodeSet.Parse(ClassificationOptions.DefaultRetryableGrpcStatuses, nameof(ClassificationOptions.RetryableGrpcStatuses)));

    private ResponseClasses(StatusCodeSet failureStatuses, StatusCodeSet retryableStatuses, GrpcCodeSet failureGrpc, GrpcCodeSet retryableGrpc)
    {
        FailureStatuses = failureStatuses;
        RetryableStatuses = retryableStatuses;
        FailureGrpc = failureGrpc;
        RetryableGrpc = retryableGrpc;
    }

    public StatusCodeSet FailureStatuses { get; }

    public StatusCodeSet RetryableStatuses { get; }

    public GrpcCodeSet FailureGrpc { get; }

    public GrpcCodeSet RetryableGrpc { get; }

    /// <summary>
    /// The classes <paramref name="options"/> set, each key left unset taken from <paramref name="inherited"/> (the
    /// defaults for a service, the service's for a route). <paramref name="key"/> names the section in errors.
    /// </summary>
    public static ResponseClasses From(ClassificationOptions? options, ResponseClasses inherited, string key)
    {
        if (options is null || (options.FailureStatuses ?? options.RetryableStatuses ?? options.FailureGrpcStatuses ?? options.RetryableGrpcStatuses) is null)
        {
            return inherited;
        }

        return new ResponseClasses(
            options.FailureStatuses is { } failure ? StatusCodeSet.Parse(failure, $"{key}:FailureStatuses") : inherited.FailureStatuses,
            options.RetryableStatuses is { } retryable ? StatusCodeSet.Parse(retryable, $"{key}:RetryableStatuses") : inherited.RetryableStatuses,
            options.FailureGrpcStatuses is { } failureGrpc ? GrpcCodeSet.Parse(failureGrpc, $"{key}:FailureGrpcStatuses") : inherited.FailureGrpc,
            options.RetryableGrpcStatuses is { } retryableGrpc ? GrpcCodeSet.Parse(retryableGrpc, $"{key}:RetryableGrpcStatuses") : inherited.RetryableGrpc);
    }

    /// <summary>Adds an error for each key of <paramref name="options"/> that does not parse, under <paramref name="prefix"/> (e.g. <c>Classification</c>).</summary>
    public static void Validate(ClassificationOptions? options, string prefix, ValidationErrors errors)
    {
        if (options is null)
        {
            return;
        }

        CheckStatuses(options.FailureStatuses, $"{prefix}:FailureStatuses", errors);
        CheckStatuses(options.RetryableStatuses, $"{prefix}:RetryableStatuses", errors);
        CheckGrpc(options.FailureGrpcStatuses, $"{prefix}:FailureGrpcStatuses", errors);
        CheckGrpc(options.RetryableGrpcStatuses, $"{prefix}:RetryableGrpcStatuses", errors);
    }

    private static void CheckStatuses(string? text, string key, ValidationErrors errors)
    {
        if (text is not null && !StatusCodeSet.TryParse(text, out _, out var error))
        {
            errors.Add(key, $"must be {StatusCodeSet.Forms}: {error}");
        }
    }

    private static void CheckGrpc(string? text, string key, ValidationErrors errors)
    {
        if (text is not null && !GrpcCodeSet.TryParse(text, out _, out var error))
        {
            errors.Add(key, $"must be {GrpcCodeSet.Forms}: {error}");
        }
    }
}
