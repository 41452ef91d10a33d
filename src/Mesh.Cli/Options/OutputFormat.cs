namespace Mesh.Cli.Options;

/// <summary>What a command prints on stdout (<c>--output</c>): tables and lines for a person, or JSON for a script.</summary>
internal enum OutputFormat
{
    /// <summary>Tables (<c>stat</c>, <c>top</c>), one line per request (<c>tap</c>), <c>ok:</c>/<c>error:</c> lines (<c>check</c>).</summary>
    Table,

    /// <summary>JSON: one document (<c>stat</c>, <c>check</c>), or one per line (<c>top</c>'s refreshes, <c>tap</c>'s events).</summary>
    Json,
}
