using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Infra.Servers;

/// <summary>
/// A server started for a test: a foreground child process whose output is captured, stopped by its PID
/// (never by name). Every wait is bounded.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static ServerProcess Start(string name, string fileName, IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                psi.Environment[key] = value;
            }
        }
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var server = new ServerProcess(process, name);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"{name}: {fileName} did not start");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>Sends a signal to this process by PID (SIGKILL 9, SIGTERM 15, SIGSTOP 19, SIGCONT 18, SIGUSR2 12).</summary>
    public void Signal(int signal)
    {
        if (!_process.HasExited)
        {
            Posix.Kill(_process.Id, signal);
        }
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit((int)timeout.TotalMilliseconds);

    /// <summary>The exit code once the process has exited (its output read to the end), else null.</summary>
    public int? ExitCode
    {
        get
        {
            if (!_process.WaitForExit(0))
            {
                return null;
            }
            _process.WaitForExit(); // the exited process's output streams are drained
            return _process.ExitCode;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Signal(Posix.SIGCONT); // a frozen process cannot handle SIGTERM
                Signal(Posix.SIGTERM);
                if (!_process.WaitForExit(5000))
                {
                    Signal(Posix.SIGKILL);
                    _process.WaitForExit(5000);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already reaped
        }
        _process.Dispose();
    }

    /// <summary>Polls until <paramref name="condition"/> holds or <paramref name="timeout"/> passes; bounded in time and count.</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan timeout, TimeSpan? interval = null)
    {
        var step = interval ?? TimeSpan.FromMilliseconds(100);
        var deadline = Stopwatch.StartNew();
        var maxPolls = (int)(timeout / step) + 2;
        for (var i = 0; i < maxPolls && deadline.Elapsed <= timeout; i++)
        {
            if (condition())
            {
                return true;
            }
            Thread.Sleep(step);
        }
        return condition();
    }

    /// <summary>True when something accepts TCP connections on 127.0.0.x:<paramref name="port"/>.</summary>
    public static bool TcpOpen(string host, int port)
    {
        if (!host.StartsWith("127.", StringComparison.Ordinal))
        {
            throw new ArgumentException("tests only talk to 127.0.0.0/8", nameof(host));
        }
        try
        {
            using var client = new TcpClient();
            var task = client.ConnectAsync(host, port);
            return task.Wait(300) && client.Connected;
        }
        catch (Exception e) when (e is SocketException or AggregateException)
        {
            return false;
        }
    }
}

public static class Posix
{
    public const int SIGKILL = 9;
    public const int SIGUSR2 = 12;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int sig);

    public static void Kill(int pid, int signal)
    {
        if (pid <= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(pid));
        }
        SysKill(pid, signal);
    }
}
