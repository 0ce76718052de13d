using System.Diagnostics;
using Infra.Plan;
using Infra.Plan.Policy;
using Infra.Plan.Spec;

namespace Infra.Bench;

/// <summary>
/// How long the stack assertions take on a real stack's plan (they run on every render and every
/// <c>pulumi preview</c>), and how many objects/files they look at. Usage: bench policy [stack] [runs]
/// </summary>
public static class PolicyBench
{
    public static readonly Benchmark Entry = new("policy", "time PolicyChecks.Check on a stack's plan", Run);

    private static int Run(string[] args, TextWriter output)
    {
        var stack = args.ElementAtOrDefault(0) ?? "prod";
        var runs = int.TryParse(args.ElementAtOrDefault(1), out var n) && n > 0 ? n : 200;
        var dir = StackFile.FindProjectDirectory(Directory.GetCurrentDirectory())
            ?? StackFile.FindProjectDirectory(AppContext.BaseDirectory)
            ?? throw new InvalidOperationException("run inside the repository (Pulumi.yaml not found)");
        var spec = Planner.Validate(stack, StackFile.ReadConfig(StackFile.StackFilePath(dir, stack))).OrThrow();
        var plan = Planner.Build(spec);
        var objects = plan.Components.Sum(c => c.Objects.Count);
        for (var i = 0; i < 5; i++)
        {
            PolicyChecks.Check(plan); // warm-up (regex compilation, JIT)
        }
        var times = new List<double>();
        var violations = 0;
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            violations = PolicyChecks.Check(plan).Count;
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        output.WriteLine($"policy: stack {stack}: {objects} objects, {plan.Files.Count()} files, {violations} violation(s), {runs} runs");
        output.WriteLine($"policy: median {times[times.Count / 2]:0.000} ms, p95 {times[(int)(times.Count * 0.95)]:0.000} ms, max {times[^1]:0.000} ms");
        return 0;
    }
}
