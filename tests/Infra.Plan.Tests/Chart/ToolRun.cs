using System.Diagnostics;

namespace Infra.Plan.Tests.Chart;

public sealed record ToolResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs a command line tool with a time limit; on timeout the process (and its children) is killed by PID.</summary>
public static class ToolRun
{
    public static ToolResult Run(string file, IEnumerable<string> args, string? stdin = null,
        IReadOnlyDictionary<string, string>? env = null, TimeSpan? timeout = null, string? workingDirectory = null,
        Func<string, bool>? dropEnv = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var k in psi.Environment.Keys.Where(k => dropEnv?.Invoke(k) == true).ToList())
        {
            psi.Environment.Remove(k);
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }
        process.StandardInput.Close();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{Path.GetFileName(file)} did not finish in time");
        }
        return new ToolResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}
