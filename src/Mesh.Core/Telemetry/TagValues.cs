namespace Mesh.Telemetry;

/// <summary>Tag values cached as objects, so recording a measurement does not box or format.</summary>
internal static class TagValues
{
    private static readonly object[] StatusCodes = CreateStatusCodes();

    public static object StatusCode(int code) =>
        (uint)code < (uint)StatusCodes.Length ? StatusCodes[code] : code;

    private static object[] CreateStatusCodes()
    {
        var codes = new object[600];
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = i;
        }

        return codes;
    }
}
