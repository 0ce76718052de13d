using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Infra.Servers.Redis;

/// <summary>A reply of the Redis protocol (RESP2): status, error, integer, bulk string (null = nil) or array.</summary>
public abstract record Resp
{
    public sealed record Status(string Text) : Resp;
    public sealed record Error(string Text) : Resp;
    public sealed record Integer(long Value) : Resp;
    public sealed record Bulk(string? Text) : Resp;
    public sealed record Array(IReadOnlyList<Resp>? Items) : Resp;

    /// <summary>The text of a status or bulk reply (null otherwise).</summary>
    public string? AsText => this switch
    {
        Status s => s.Text,
        Bulk b => b.Text,
        _ => null,
    };

    public bool IsError => this is Error;
}

/// <summary>
/// A minimal blocking Redis client for tests and benchmarks: one TCP connection to 127.0.0.x, every read
/// and write bounded by a timeout. Enough for AUTH, SET/GET, WAIT, INFO, ROLE and SENTINEL commands.
/// </summary>
public sealed class RespClient : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly Stream _stream;
    private readonly BufferedStream _reader;

    private RespClient(TcpClient tcp, Stream stream)
    {
        _tcp = tcp;
        _stream = stream;
        _reader = new BufferedStream(_stream);
    }

    /// <summary>
    /// Connects (loopback only), over TLS when <paramref name="trustedCa"/> is given (the server's certificate
    /// must chain to it), and, when a password is given, authenticates; throws IOException on failure.
    /// </summary>
    public static RespClient Connect(string host, int port, string? password = null, int timeoutMs = 1000, X509Certificate2? trustedCa = null)
    {
        if (!host.StartsWith("127.", StringComparison.Ordinal))
        {
            throw new ArgumentException("tests only talk to 127.0.0.0/8", nameof(host));
        }
        var tcp = new TcpClient { NoDelay = true, ReceiveTimeout = timeoutMs, SendTimeout = timeoutMs };
        try
        {
            if (!tcp.ConnectAsync(host, port).Wait(timeoutMs))
            {
                throw new IOException($"connect to {host}:{port} timed out");
            }
        }
        catch (AggregateException e)
        {
            tcp.Dispose();
            throw new IOException($"connect to {host}:{port} failed: {e.InnerException?.Message}", e);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
        Stream stream = tcp.GetStream();
        if (trustedCa is not null)
        {
            var ssl = new SslStream(stream, false);
            try
            {
                ssl.AuthenticateAsClient(new SslClientAuthenticationOptions
                {
                    TargetHost = host,
                    RemoteCertificateValidationCallback = (_, cert, _, errors) => ChainsTo(cert, trustedCa, errors),
                });
            }
            catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException)
            {
                ssl.Dispose();
                tcp.Dispose();
                throw new IOException($"TLS handshake with {host}:{port} failed: {e.Message}", e);
            }
            stream = ssl;
        }
        var client = new RespClient(tcp, stream);
        if (password is not null)
        {
            var reply = client.Call("AUTH", password);
            if (reply.IsError)
            {
                client.Dispose();
                throw new IOException($"AUTH to {host}:{port} refused: {((Resp.Error)reply).Text}");
            }
        }
        return client;
    }

    /// <summary>Only the test CA is trusted, and the name must match (the test certificates carry IP SANs).</summary>
    private static bool ChainsTo(X509Certificate? cert, X509Certificate2 ca, SslPolicyErrors errors)
    {
        if (cert is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(cert));
    }

    /// <summary>Connects, runs one command and closes; null when the server cannot be reached or times out.</summary>
    public static Resp? TryCall(string host, int port, string? password, params string[] command) =>
        TryCall(host, port, password, null, command);

    public static Resp? TryCall(string host, int port, string? password, X509Certificate2? trustedCa, params string[] command)
    {
        try
        {
            using var client = Connect(host, port, password, trustedCa: trustedCa);
            return client.Call(command);
        }
        catch (IOException)
        {
            return null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    public Resp Call(params string[] command)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(command.Length).Append("\r\n");
        foreach (var part in command)
        {
            sb.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        }
        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        _stream.Write(bytes, 0, bytes.Length);
        return Read();
    }

    private Resp Read()
    {
        var line = ReadLine();
        if (line.Length == 0)
        {
            throw new IOException("empty reply line");
        }
        var rest = line[1..];
        switch (line[0])
        {
            case '+': return new Resp.Status(rest);
            case '-': return new Resp.Error(rest);
            case ':': return new Resp.Integer(long.Parse(rest, CultureInfo.InvariantCulture));
            case '$':
            {
                var length = int.Parse(rest, CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return new Resp.Bulk(null);
                }
                var buffer = new byte[length + 2];
                var read = 0;
                while (read < buffer.Length)
                {
                    var n = _reader.Read(buffer, read, buffer.Length - read);
                    if (n <= 0)
                    {
                        throw new IOException("connection closed in a bulk reply");
                    }
                    read += n;
                }
                return new Resp.Bulk(Encoding.UTF8.GetString(buffer, 0, length));
            }
            case '*':
            {
                var count = int.Parse(rest, CultureInfo.InvariantCulture);
                if (count < 0)
                {
                    return new Resp.Array(null);
                }
                var items = new List<Resp>(count);
                for (var i = 0; i < count; i++)
                {
                    items.Add(Read());
                }
                return new Resp.Array(items);
            }
            default:
                throw new IOException($"unexpected reply type '{line[0]}'");
        }
    }

    private string ReadLine()
    {
        var sb = new StringBuilder();
        while (true)
        {
            var b = _reader.ReadByte();
            if (b < 0)
            {
                throw new IOException("connection closed");
            }
            if (b == '\r')
            {
                _reader.ReadByte(); // '\n'
                return sb.ToString();
            }
            sb.Append((char)b);
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _tcp.Dispose();
    }
}
