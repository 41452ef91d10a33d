using Microsoft.Extensions.Options;

namespace Mesh.Configuration;

/// <summary>Validates <see cref="DynamicServicesOptions"/>, with the full key of each error.</summary>
internal sealed class DynamicServicesOptionsValidator : IValidateOptions<DynamicServicesOptions>
{
    public ValidateOptionsResult Validate(string? name, DynamicServicesOptions options)
    {
        var errors = new ValidationErrors(DynamicServicesOptions.SectionName);
        errors.RequirePositive("IdleTimeout", options.IdleTimeout);
        errors.RequireRange("MaxServices", options.MaxServices, 1, 1_000_000);
        errors.RequireRange("MaxMetricNames", options.MaxMetricNames, 0, 1_000_000);
        return errors.ToResult();
    }
}
