using Mesh.LoadBalancing;
using Microsoft.Extensions.Options;

namespace Mesh.Configuration;

/// <summary>
/// Validates one service's options, collecting every error with its configuration key, e.g.
/// <c>Mesh:Services:orders:PeakEwma:DecayTime must be greater than zero, was -00:00:01</c>.
/// </summary>
internal sealed class MeshServiceOptionsValidator(LoadBalancerRegistry balancers) : IValidateOptions<MeshServiceOptions>
{
    public ValidateOptionsResult Validate(string? name, MeshServiceOptions options)
    {
        var errors = new ValidationErrors($"{MeshServiceOptions.SectionName}:{name}");
        if (!balancers.Contains(options.LoadBalancer))
        {
            errors.Add("LoadBalancer", $"must be one of {string.Join(", ", balancers.Names)}, was '{options.LoadBalancer}'");
        }

        var ewma = options.PeakEwma;
        errors.RequirePositive("PeakEwma:DecayTime", ewma.DecayTime);
        errors.RequireNotNegative("PeakEwma:DefaultRtt", ewma.DefaultRtt);
        errors.RequireNotNegative("PeakEwma:FailurePenalty", ewma.FailurePenalty);
        return errors.ToResult();
    }
}
