namespace Infra.Bench;

/// <summary>A benchmark prints figures to <c>out</c> and returns an exit code.</summary>
public sealed record Benchmark(string Name, string Description, Func<string[], TextWriter, int> Run);

public static class Benchmarks
{
    /// <summary>Each benchmark file adds itself here.</summary>
    public static IReadOnlyList<Benchmark> All { get; } =
    [
        CapacityModelBench.Entry,
        CoturnRelayBench.Definition,
        LivekitChartBench.Benchmark,
        PolicyBench.Entry,
        RedisFailoverBenchmark.Entry,
    ];
}
