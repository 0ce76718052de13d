using Infra.Bench;

// dotnet run -c Release --project bench/Infra.Bench -- <name>   (no name: list them)
var benchmarks = Benchmarks.All;
var name = args.FirstOrDefault();
var match = benchmarks.FirstOrDefault(b => b.Name == name);
if (match is null)
{
    Console.Error.WriteLine("usage: bench <name> [args]; benchmarks:");
    foreach (var b in benchmarks)
    {
        Console.Error.WriteLine($"  {b.Name,-20} {b.Description}");
    }
    return name is null ? 0 : 2;
}
return match.Run(args[1..], Console.Out);
