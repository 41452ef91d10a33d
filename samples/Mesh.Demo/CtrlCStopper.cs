namespace Mesh.Demo;

/// <summary>Turns Ctrl-C into an early, orderly end of the run (summary included) instead of killing the process.</summary>
internal sealed class CtrlCStopper(CancellationTokenSource stopping)
{
    public void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        stopping.Cancel();
    }
}
