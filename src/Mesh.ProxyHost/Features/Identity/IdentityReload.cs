using System.Text.Json.Serialization;
using Mesh.ProxyHost.Features.Admin;

namespace Mesh.ProxyHost.Features.Identity;

/// <summary>How the last reading of the identity files went, as <c>/config</c> shows it.</summary>
/// <param name="State"><c>loaded</c> (at start), <c>renewed</c> (a new certificate or bundle is in use) or <c>rejected</c> (the files were broken: the last good identity stays).</param>
/// <param name="At">When.</param>
/// <param name="Errors">Why it was rejected, each naming the key and the file.</param>
internal sealed record IdentityReload(string State, [property: JsonConverter(typeof(RoundTripTimeConverter))] DateTimeOffset At, IReadOnlyList<string> Errors)
{
    public const string Loaded = "loaded";
    public const string Renewed = "renewed";
    public const string Rejected = "rejected";
}
