namespace Mesh.Cli.Admin;

/// <summary>The admin endpoint could not be reached, timed out, or answered with an error; the message says which and where.</summary>
internal sealed class AdminException : Exception
{
    public AdminException(string message)
        : base(message)
    {
    }

    public AdminException()
    {
    }

    public AdminException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
