using Mesh.ProxyHost.Features.Identity;
using Microsoft.Extensions.Primitives;

namespace Mesh.ProxyHost.Features.MeshTls;

/// <summary>
/// <c>Mesh:Identity:DefaultServiceIdentity</c> as the configuration in effect holds it, read again on each reload (a
/// reload is validated whole first, so the value here is a valid one).
/// </summary>
internal sealed class DefaultServiceIdentity : IDisposable
{
    private const string Key = IdentityOptions.SectionName + ":DefaultServiceIdentity";

    private readonly IConfiguration _configuration;
    private readonly IDisposable _subscription;
    private volatile string? _value;

    public DefaultServiceIdentity(IConfiguration configuration)
    {
        _configuration = configuration;
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Refresh);
        Refresh();
    }

    /// <summary>Gets the default identity; null when none is set. A new string only when a reload changed it.</summary>
    public string? Value => _value;

    public void Dispose() => _subscription.Dispose();

    private void Refresh()
    {
        var value = _configuration[Key] is { Length: > 0 } v ? v : null;
        if (value != _value)
        {
            _value = value;
        }
    }
}
