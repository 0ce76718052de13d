using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Infra.Servers.Coturn;

/// <summary>The coturn package's tools and openssl, run as bounded child processes on loopback only.</summary>
public static partial class CoturnTools
{
    public static string? TurnServer => Tools.Find("turnserver");
    public static string? UClient => Tools.Find("turnutils_uclient");
    public static string? Peer => Tools.Find("turnutils_peer");
    public static string? OpenSsl => Tools.Find("openssl");

    /// <summary>Names of the tools missing on this machine.</summary>
    public static IReadOnlyList<string> Missing() =>
        new[] { ("turnserver", TurnServer), ("turnutils_uclient", UClient), ("turnutils_peer", Peer), ("openssl", OpenSsl) }
            .Where(t => t.Item2 is null).Select(t => t.Item1).ToArray();

    /// <summary>Runs a tool to completion or kills it (by PID) after <paramref name="timeout"/>.</summary>
    public static (int Exit, string Output) Run(string fileName, IEnumerable<string> args, TimeSpan timeout, string? stdin = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        // A null value removes the variable: the child must not inherit e.g. this machine's KUBERNETES_SERVICE_HOST.
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
        {
            if (v is null)
            {
                psi.Environment.Remove(k);
            }
            else
            {
                psi.Environment[k] = v;
            }
        }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"{fileName} did not start");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
        }
        p.StandardInput.Close();
        if (!p.WaitForExit((int)timeout.TotalMilliseconds))
        {
            Posix.Kill(p.Id, Posix.SIGKILL);
            p.WaitForExit(5000);
            return (-1, $"{Path.GetFileName(fileName)} timed out after {timeout.TotalSeconds:0} s\n" + Completed(stdout) + Completed(stderr));
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static string Completed(Task<string> t) => t.Wait(2000) ? t.Result : "";

    /// <summary>
    /// One turnutils_uclient run against 127.0.0.1 with the given TURN credential, relaying to a peer on
    /// loopback. Refuses any peer outside 127.0.0.0/8.
    /// </summary>
    public static (int Exit, string Output) Allocate(int serverPort, string username, string password, string peerAddress, int peerPort,
        int messages, bool tls = false)
    {
        if (!peerAddress.StartsWith("127.", StringComparison.Ordinal))
        {
            throw new ArgumentException("tests only relay to 127.0.0.0/8", nameof(peerAddress));
        }
        var args = new List<string>
        {
            "-u", username, "-w", password,
            "-p", serverPort.ToString(),
            "-e", peerAddress, "-r", peerPort.ToString(),
            "-n", messages.ToString(), "-m", "1", "-l", "120",
        };
        if (tls)
        {
            args.AddRange(["-t", "-S"]);
        }
        args.Add("127.0.0.1");
        return Run(UClient!, args, TimeSpan.FromSeconds(30));
    }

    /// <summary>"Total lost packets N" and the sent/received message totals from turnutils_uclient's summary.</summary>
    public static (int Lost, int Sent, int Received)? Summary(string output)
    {
        var lost = LostPattern().Match(output);
        var totals = TotalsPattern().Matches(output);
        if (!lost.Success || totals.Count == 0)
        {
            return null;
        }
        var last = totals[^1];
        return (int.Parse(lost.Groups[1].Value), int.Parse(last.Groups[1].Value), int.Parse(last.Groups[2].Value));
    }

    [GeneratedRegex(@"Total lost packets (\d+)")]
    private static partial Regex LostPattern();

    [GeneratedRegex(@"tot_send_msgs=(\d+), tot_recv_msgs=(\d+)")]
    private static partial Regex TotalsPattern();

    /// <summary>The certificate a TLS port on 127.0.0.1 presents, read with <c>openssl s_client</c>.</summary>
    public static X509Certificate2? PresentedCertificate(int port, string serverName)
    {
        var (_, output) = Run(OpenSsl!, ["s_client", "-connect", $"127.0.0.1:{port}", "-servername", serverName, "-showcerts"],
            TimeSpan.FromSeconds(15), stdin: "");
        var m = PemPattern().Match(output);
        return m.Success ? X509Certificate2.CreateFromPem(m.Value) : null;
    }

    [GeneratedRegex("-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----")]
    private static partial Regex PemPattern();

    /// <summary>A fresh self-signed ECDSA certificate for <paramref name="dnsName"/>, written as PEM files.</summary>
    public static X509Certificate2 WriteSelfSigned(string dnsName, string certFile, string keyFile)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Write under temporary names and rename, key first: a watcher never sees a cert without its key.
        File.WriteAllText(keyFile + ".tmp", key.ExportPkcs8PrivateKeyPem());
        File.Move(keyFile + ".tmp", keyFile, overwrite: true);
        File.WriteAllText(certFile + ".tmp", cert.ExportCertificatePem());
        File.Move(certFile + ".tmp", certFile, overwrite: true);
        return cert;
    }
}
