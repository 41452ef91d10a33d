using Mesh.Configuration;
using Mesh.FailureAccrual;
using Mesh.LoadBalancing;

namespace Mesh.Core.Tests.Configuration;

public class MeshServiceOptionsValidatorTests
{
    private static readonly MeshServiceOptionsValidator Validator = new(new LoadBalancerRegistry([]), new FailureAccrualPolicyRegistry([]));

    [Fact]
    public void Defaults_AreValid()
    {
        Assert.True(Validator.Validate("orders", new MeshServiceOptions()).Succeeded);
    }

    [Fact]
    public void UnknownLoadBalancer_FailsNamingKeyAndChoices()
    {
        var result = Validator.Validate("orders", new MeshServiceOptions { LoadBalancer = "Fastest" });
        var error = Assert.Single(result.Failures!);
        Assert.StartsWith("Mesh:Services:orders:LoadBalancer must be one of PeakEwma, LeastInFlight, RoundRobin", error);
        Assert.Contains("'Fastest'", error);
    }

    [Fact]
    public void LoadBalancerName_IsCaseInsensitive()
    {
        Assert.True(Validator.Validate("orders", new MeshServiceOptions { LoadBalancer = "roundrobin" }).Succeeded);
    }

    [Fact]
    public void EveryError_IsReported()
    {
        var options = new MeshServiceOptions { LoadBalancer = "x" };
        options.PeakEwma.DecayTime = TimeSpan.Zero;
        options.PeakEwma.DefaultRtt = TimeSpan.FromMilliseconds(-1);
        var failures = Validator.Validate("billing", options).Failures!.ToList();

        Assert.Equal(3, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Mesh:Services:billing:PeakEwma:DecayTime must be greater than zero", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Mesh:Services:billing:PeakEwma:DefaultRtt must not be negative", StringComparison.Ordinal));
    }

    [Fact]
    public void Backpressure_DurationsAreChecked_WithTheirKeys()
    {
        var options = new MeshServiceOptions();
        options.Backpressure.MaxDuration = TimeSpan.Zero;
        options.Backpressure.DefaultDuration = TimeSpan.FromSeconds(-1);
        var failures = Validator.Validate("orders", options).Failures!.ToList();
        Assert.Equal(
            ["Mesh:Services:orders:Backpressure:MaxDuration must be greater than zero, was 00:00:00", "Mesh:Services:orders:Backpressure:DefaultDuration must not be negative, was -00:00:01"],
            failures);

        options.Backpressure.MaxDuration = TimeSpan.FromSeconds(2);
        options.Backpressure.DefaultDuration = TimeSpan.FromSeconds(3);
        Assert.Equal(
            "Mesh:Services:orders:Backpressure:DefaultDuration must not exceed Backpressure:MaxDuration (00:00:02), was 00:00:03",
            Assert.Single(Validator.Validate("orders", options).Failures!));
    }

    [Fact]
    public void CustomLoadBalancer_IsAccepted()
    {
        var validator = new MeshServiceOptionsValidator(new LoadBalancerRegistry([new LoadBalancerRegistration("Mine", () => new RoundRobinBalancer())]), new FailureAccrualPolicyRegistry([]));
        Assert.True(validator.Validate("orders", new MeshServiceOptions { LoadBalancer = "Mine" }).Succeeded);
    }

    [Fact]
    public void UnknownFailureAccrualPolicy_FailsNamingKeyAndChoices_ARegisteredOneIsAccepted()
    {
        var options = new MeshServiceOptions();
        options.FailureAccrual.Policy = "Mine";
        var error = Assert.Single(Validator.Validate("orders", options).Failures!);
        Assert.Equal("Mesh:Services:orders:FailureAccrual:Policy must be one of ConsecutiveFailuresOrSuccessRate, was 'Mine'", error);

        var registered = new MeshServiceOptionsValidator(
            new LoadBalancerRegistry([]),
            new FailureAccrualPolicyRegistry([new FailureAccrualPolicyRegistration("mine", (o, t) => new ConsecutiveFailuresOrSuccessRatePolicy(o, t))]));
        Assert.True(registered.Validate("orders", options).Succeeded);
    }

    [Fact]
    public void AnIdentityThatIsNoSpiffeIdOrPattern_FailsNamingTheKey()
    {
        var error = Assert.Single(Validator.Validate("orders", new MeshServiceOptions { Identity = "spiffe://example.org/ns//orders" }).Failures!);
        Assert.Equal("Mesh:Services:orders:Identity must be a SPIFFE ID (spiffe://<trust-domain>/<path>), a pattern of one with * or 'none', was 'spiffe://example.org/ns//orders': it has an empty path segment (no '//' and no trailing '/')", error);
        Assert.True(Validator.Validate("orders", new MeshServiceOptions { Identity = "spiffe://example.org/ns/shop/*" }).Succeeded);
    }
}

public class ClassificationOptionsValidationTests
{
    private static readonly MeshServiceOptionsValidator Validator = new(new LoadBalancerRegistry([]), new FailureAccrualPolicyRegistry([]));

    [Fact]
    public void BadClassification_EveryKeyReported_WithTheKeyAndTheReason()
    {
        var options = new MeshServiceOptions
        {
            Classification = new ClassificationOptions
            {
                FailureStatuses = "5xx,600",
                RetryableStatuses = "503-502",
                FailureGrpcStatuses = "INTERNAL,BROKEN",
                RetryableGrpcStatuses = "42",
            },
        };

        var failures = Validator.Validate("orders", options).Failures!.ToList();

        Assert.Equal(4, failures.Count);
        Assert.Contains("Mesh:Services:orders:Classification:FailureStatuses must be HTTP status codes (100 to 599), ranges or classes separated by commas, e.g. 429,502-504 or 5xx; empty for none: '600' is not a status from 100 to 599, a range of them (502-504) or a class (5xx)", failures);
        Assert.Contains(failures, f => f.StartsWith("Mesh:Services:orders:Classification:RetryableStatuses must be HTTP status codes", StringComparison.Ordinal) && f.EndsWith("'503-502' is not a status from 100 to 599, a range of them (502-504) or a class (5xx)", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Mesh:Services:orders:Classification:FailureGrpcStatuses must be gRPC status names", StringComparison.Ordinal) && f.Contains("'BROKEN'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Mesh:Services:orders:Classification:RetryableGrpcStatuses must be gRPC status names", StringComparison.Ordinal) && f.Contains("'42'", StringComparison.Ordinal));
    }

    [Fact]
    public void GoodClassification_IsValid()
    {
        var options = new MeshServiceOptions
        {
            Classification = new ClassificationOptions { FailureStatuses = "5xx,408", RetryableStatuses = "", FailureGrpcStatuses = "unavailable,13", RetryableGrpcStatuses = "UNAVAILABLE" },
        };

        Assert.True(Validator.Validate("orders", options).Succeeded);
    }
}
