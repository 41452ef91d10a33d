namespace Mesh.Configuration.Shape;

/// <summary>
/// Reads the durations of a configuration in the forms <see cref="Duration"/> accepts: a value in unit form under a
/// duration key is rewritten into the .NET form the binder reads; a bare number there is an error naming the key.
/// </summary>
internal static class ConfigurationDurations
{
    /// <summary>Rewrites <paramref name="data"/> (key → value) in place; returns the errors, one per refused value.</summary>
    public static List<string> Normalize(IDictionary<string, string?> data, ConfigurationShape shape)
    {
        var errors = new List<string>();
        foreach (var (key, value) in data.ToArray())
        {
            if (value is null || shape.Find(key) is not ValueNode { IsDuration: true })
            {
                continue;
            }

            if (Duration.TryParse(value, out var duration))
            {
                data[key] = Duration.Format(duration);
            }
            else if (Duration.IsBareNumber(value))
            {
                errors.Add($"{key} must be {Duration.Forms} (a number alone has no unit), was '{value}'");
            }
        }

        return errors;
    }
}
