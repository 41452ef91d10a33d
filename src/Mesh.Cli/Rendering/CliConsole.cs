using Spectre.Console;

namespace Mesh.Cli.Rendering;

/// <summary>Creates the Spectre console a command writes its tables and live views to.</summary>
internal static class CliConsole
{
    /// <summary>Columns used when the output is not a terminal (a pipe, a file, a test), so tables are not wrapped at 80.</summary>
    public const int RedirectedWidth = 200;

    public static IAnsiConsole Create(TextWriter writer)
    {
        // A real terminal: let Spectre detect colours, ANSI and width.
        if (ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected)
        {
            return AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        }

        // Anything else gets plain text: no escape codes in files, pipes or captured test output.
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = RedirectedWidth;
        return console;
    }
}
