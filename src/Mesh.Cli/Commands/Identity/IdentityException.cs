namespace Mesh.Cli.Commands.Identity;

/// <summary><c>mesh identity</c> could not read or write its files, or what it was asked contradicts them: one line.</summary>
internal sealed class IdentityException(string message) : Exception(message);
