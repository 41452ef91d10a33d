namespace Mesh.Prometheus.Tests.Infrastructure;

/// <summary>
/// Bounds of what rate(x[w]) × w (the increase) can be for a counter that Prometheus first saw at a value of at most
/// <c>first</c> and that reached <c>last</c>, with the whole series inside the window w.
/// rate() takes the difference of the first and last samples, so it misses up to <c>first</c>; then it extrapolates:
/// towards the window's start at most down to zero (never more than <c>first</c>), towards its end by at most 1.1 average
/// sample intervals at the average slope, i.e. at most 1.1 / (samples − 1) of the difference. So
/// last − first ≤ increase ≤ last × (1 + slack), with slack = 1.1 / (samples − 1).
/// </summary>
public readonly record struct CounterIncrease(double Low, double High)
{
    public static CounterIncrease Of(double last, double first, double slack) => new(last - first, last * (1 + slack));

    /// <summary>Slack for a window that held <paramref name="samples"/> samples of the series.</summary>
    public static double Slack(int samples) => 1.1 / (samples - 1);

    public static CounterIncrease operator +(CounterIncrease a, CounterIncrease b) => new(a.Low + b.Low, a.High + b.High);

    /// <summary>Bounds of part / (part + rest), e.g. a success share, when each is bounded on its own.</summary>
    public static (double Low, double High) Share(CounterIncrease part, CounterIncrease rest) =>
        (part.Low / (part.Low + rest.High), part.High / (part.High + rest.Low));

    /// <summary>Bounds of a / b.</summary>
    public static (double Low, double High) Ratio(CounterIncrease a, CounterIncrease b) => (a.Low / b.High, a.High / b.Low);

    /// <summary>Bounds of the per-second rate over a window of <paramref name="window"/>.</summary>
    public (double Low, double High) PerSecond(TimeSpan window) => (Low / window.TotalSeconds, High / window.TotalSeconds);
}
