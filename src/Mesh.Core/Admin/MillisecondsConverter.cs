using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.Admin;

/// <summary>
/// Writes a duration in milliseconds to the microsecond (3 decimals), as every <c>_ms</c> field of the admin JSON is:
/// finer digits are noise to a reader. The value in memory keeps its precision (the tap's <c>min_ms</c> filter reads it).
/// </summary>
internal sealed class MillisecondsConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(Math.Round(value, 3));
}
