using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.ProxyHost.Features.Admin;

/// <summary>
/// Writes a time as <c>ToString("O")</c> (seven fraction digits, always), as <c>/config</c> has since it began, where
/// System.Text.Json's own format trims trailing zeros.
/// </summary>
internal sealed class RoundTripTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("O", CultureInfo.InvariantCulture));
}
