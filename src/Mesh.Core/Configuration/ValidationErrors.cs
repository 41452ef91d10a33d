using System.Globalization;
using Microsoft.Extensions.Options;

namespace Mesh.Configuration;

/// <summary>Collects validation errors, each prefixed with the full configuration key it is about.</summary>
internal sealed class ValidationErrors(string prefix)
{
    private readonly List<string> _errors = [];

    /// <summary>Gets how many errors were collected so far.</summary>
    public int Count => _errors.Count;

    public void Add(string key, string reason) => _errors.Add($"{prefix}:{key} {reason}");

    public void RequirePositive(string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            Add(key, $"must be greater than zero, was {value}");
        }
    }

    public void RequireNotNegative(string key, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            Add(key, $"must not be negative, was {value}");
        }
    }

    public void RequireRange(string key, double value, double min, double max, bool minExclusive = false)
    {
        if (double.IsNaN(value) || value > max || (minExclusive ? value <= min : value < min))
        {
            var open = minExclusive ? "(" : "[";
            Add(key, string.Create(CultureInfo.InvariantCulture, $"must be in {open}{min}, {max}], was {value}"));
        }
    }

    public void RequireRange(string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            Add(key, string.Create(CultureInfo.InvariantCulture, $"must be in [{min}, {max}], was {value}"));
        }
    }

    public ValidateOptionsResult ToResult() =>
        _errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_errors);
}
