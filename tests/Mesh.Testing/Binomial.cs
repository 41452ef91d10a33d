namespace Mesh.Testing;

/// <summary>The binomial distribution, for checking that counts of random choices fall where chance puts them.</summary>
public static class Binomial
{
    /// <summary>
    /// The central interval [low, high] holding at least <paramref name="confidence"/> of Binomial(<paramref name="n"/>,
    /// <paramref name="p"/>): low is the smallest k with P(X ≤ k) above (1 − confidence)/2, high the smallest with
    /// P(X ≤ k) at least (1 + confidence)/2. Computed exactly from the log-probabilities, not by a normal approximation.
    /// </summary>
    public static (int Low, int High) CentralInterval(int n, double p, double confidence)
    {
        var tail = (1 - confidence) / 2;
        var logFactorial = new double[n + 1];
        for (var i = 2; i <= n; i++)
        {
            logFactorial[i] = logFactorial[i - 1] + Math.Log(i);
        }

        var low = -1;
        var cumulative = 0.0;
        for (var k = 0; k <= n; k++)
        {
            cumulative += Math.Exp(logFactorial[n] - logFactorial[k] - logFactorial[n - k] + (k * Math.Log(p)) + ((n - k) * Math.Log(1 - p)));
            if (low < 0 && cumulative > tail)
            {
                low = k;
            }

            if (cumulative >= 1 - tail)
            {
                return (low, k);
            }
        }

        return (low, n);
    }
}
