using System.Text.Json.Serialization;

namespace Mesh.Cli.Interception;

/// <summary>Which iptables: <c>iptables</c> (IPv4) or <c>ip6tables</c> (IPv6). The rules are the same for both.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IptablesFamily>))]
internal enum IptablesFamily
{
    [JsonStringEnumMemberName("ipv4")]
    IPv4,

    [JsonStringEnumMemberName("ipv6")]
    IPv6,
}
