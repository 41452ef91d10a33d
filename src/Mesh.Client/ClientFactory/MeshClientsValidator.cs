using Mesh.Configuration;
using Mesh.Pipeline;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Mesh.Client.ClientFactory;

/// <summary>
/// Checks the meshed clients at start, so that a mistake stops the application then rather than at its first call:
/// each meshed client's handlers are built once (<see cref="MeshHandlerBuilderFilter"/> refuses a second retry layer;
/// the factory keeps the handlers for the client's first use), every client the application configured when
/// <c>ConfigureHttpClientDefaults</c> meshes them all; and with <c>AddMesh()</c>, whose services are the requests'
/// hosts, the policy of every service configuration names. Every error is listed, each with its client or key.
/// </summary>
internal sealed class MeshClientsValidator(
    IHttpMessageHandlerFactory handlers,
    IEnumerable<IConfigureOptions<HttpClientFactoryOptions>> clientConfigurations,
    IOptionsMonitor<MeshServiceOptions> services,
    MeshHttpHandlerFactory mesh) : IValidateOptions<MeshClients>
{
    public ValidateOptionsResult Validate(string? name, MeshClients options)
    {
        var errors = new List<string>();
        foreach (var client in ClientsToCheck(options))
        {
            try
            {
                // Kept by the factory for the client's first use; disposing the returned handler would do nothing.
                _ = handlers.CreateHandler(client);
            }
            catch (MeshClientConflictException ex)
            {
                errors.Add(ex.Message);
            }
            catch (OptionsValidationException)
            {
                // The service's policy is invalid: its own check at start reports it, with every key.
            }
        }

        if (options.ServiceFromHost)
        {
            foreach (var service in mesh.ConfiguredServices)
            {
                try
                {
                    _ = services.Get(service);
                }
                catch (OptionsValidationException ex)
                {
                    errors.AddRange(ex.Failures);
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // ConfigureHttpClientDefaults meshes every client: the ones the application configured by name, and the default one.
    private IEnumerable<string> ClientsToCheck(MeshClients options)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var client in options.Names)
        {
            names.Add(client ?? Options.DefaultName);
        }

        if (options.Names.Contains(null))
        {
            foreach (var configuration in clientConfigurations)
            {
                if (configuration is ConfigureNamedOptions<HttpClientFactoryOptions> { Name: { } client })
                {
                    names.Add(client);
                }
            }
        }

        return names;
    }
}
