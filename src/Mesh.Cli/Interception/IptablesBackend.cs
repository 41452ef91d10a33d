using System.Text.Json.Serialization;

namespace Mesh.Cli.Interception;

/// <summary>Which kernel interface the iptables binaries drive (<c>--backend</c>); the rules look the same in both.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IptablesBackend>))]
internal enum IptablesBackend
{
    /// <summary>nf_tables (<c>iptables-nft-restore</c>): Debian 10+, RHEL 8+, most current distributions and images.</summary>
    [JsonStringEnumMemberName("nft")]
    Nft,

    /// <summary>The older x_tables (<c>iptables-legacy-restore</c>): still the one in use on some nodes.</summary>
    [JsonStringEnumMemberName("legacy")]
    Legacy,
}
