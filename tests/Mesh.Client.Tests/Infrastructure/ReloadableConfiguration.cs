using Microsoft.Extensions.Configuration;

namespace Mesh.Client.Tests.Infrastructure;

/// <summary>An in-memory configuration whose whole content a test can replace, raising a reload as a file change would.</summary>
public sealed class ReloadableConfiguration : ConfigurationProvider, IConfigurationSource
{
    public ReloadableConfiguration(IDictionary<string, string?> data) => Replace(data, raise: false);

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    public void Replace(IDictionary<string, string?> data) => Replace(data, raise: true);

    private void Replace(IDictionary<string, string?> data, bool raise)
    {
        Data = new Dictionary<string, string?>(data, StringComparer.OrdinalIgnoreCase);
        if (raise)
        {
            OnReload();
        }
    }
}
