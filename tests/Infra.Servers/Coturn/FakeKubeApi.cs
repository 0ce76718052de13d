using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Infra.Servers.Coturn;

/// <summary>
/// A stand-in for the Kubernetes API server, just enough for coturn's discovery step: HTTPS on 127.0.0.1 (a free
/// port), a certificate for 127.0.0.1 from its own CA, <c>GET /api/v1/nodes/NAME</c> answered from a map of Node
/// JSON when the bearer token matches (401 otherwise, 404 for an unknown node). Every request is recorded. It runs
/// in this process and stops on Dispose; each connection is bounded in time and size.
/// </summary>
public sealed class FakeKubeApi : IDisposable
{
    public sealed record Request(string RequestLine, string? Authorization, string? Host);

    private readonly TcpListener _listener;
    private readonly X509Certificate2 _serverCertificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<Request> _requests = [];
    private readonly Func<Request, (int Status, string Body)> _handler;

    public static readonly IPAddress Address = IPAddress.Loopback;

    public int Port { get; }

    /// <summary>PEM of the CA that signed the server certificate (what the pod finds in kube-root-ca.crt).</summary>
    public string CaPem { get; }

    public IReadOnlyList<Request> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToArray();
            }
        }
    }

    public FakeKubeApi(Func<Request, (int Status, string Body)> handler)
    {
        _handler = handler;
        (CaPem, _serverCertificate) = IssueCertificates();
        _listener = new TcpListener(Address, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoop);
    }

    /// <summary>The usual handler: the Nodes of <paramref name="nodes"/> (name → JSON) for requests carrying <paramref name="token"/>.</summary>
    public static Func<Request, (int Status, string Body)> Nodes(string token, IReadOnlyDictionary<string, string> nodes) => request =>
    {
        if (request.Authorization != $"Bearer {token}")
        {
            return (401, """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""");
        }
        var parts = request.RequestLine.Split(' ');
        const string prefix = "/api/v1/nodes/";
        if (parts.Length == 3 && parts[0] == "GET" && parts[1].StartsWith(prefix, StringComparison.Ordinal) &&
            nodes.TryGetValue(parts[1][prefix.Length..], out var json))
        {
            return (200, json);
        }
        return (404, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}""");
    };

    /// <summary>
    /// A Node as the API server writes it: compact JSON, Go's field order (metadata, spec, status; in status.addresses
    /// type before address), Go's escaping (\" inside strings). It carries a decoy: the last-applied annotation quotes
    /// another ExternalIP, which a parser must not pick up, and an images list that makes the body span several TLS records.
    /// </summary>
    public static string NodeJson(string name, params (string Type, string Address)[] addresses)
    {
        var status = new JsonObject
        {
            ["capacity"] = new JsonObject { ["cpu"] = "8", ["memory"] = "32Gi", ["pods"] = "110" },
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True", ["reason"] = "KubeletReady" }),
            ["addresses"] = new JsonArray(addresses.Select(a => (JsonNode)new JsonObject { ["type"] = a.Type, ["address"] = a.Address }).ToArray()),
            ["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = 10250 } },
            ["nodeInfo"] = new JsonObject { ["kubeletVersion"] = "v1.33.1", ["osImage"] = "Debian GNU/Linux 12 (bookworm)" },
            ["images"] = new JsonArray(Enumerable.Range(0, 120).Select(i => (JsonNode)new JsonObject
            {
                ["names"] = new JsonArray((JsonNode)$"registry.example.org/team/image-{i}@sha256:{new string((char)('a' + i % 6), 64)}"),
                ["sizeBytes"] = 10_000_000 + i,
            }).ToArray()),
        };
        var node = new JsonObject
        {
            ["kind"] = "Node",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = new JsonObject { ["kubernetes.io/hostname"] = name, ["matrix-rtc/media"] = "true" },
                ["annotations"] = new JsonObject
                {
                    ["kubectl.kubernetes.io/last-applied-configuration"] =
                        """{"status":{"addresses":[{"type":"ExternalIP","address":"192.0.2.250"}]}}""",
                },
            },
            ["spec"] = new JsonObject { ["podCIDR"] = "10.244.1.0/24", ["providerID"] = $"fake://{name}" },
            ["status"] = status,
        };
        return node.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using var _ = client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _serverCertificate }, timeout.Token);
            var head = await ReadHead(tls, timeout.Token);
            var lines = head.Split("\r\n");
            string? Header(string name) => lines.Skip(1)
                .Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
                .Select(l => l[(name.Length + 1)..].Trim()).FirstOrDefault();
            var request = new Request(lines[0], Header("Authorization"), Header("Host"));
            lock (_requests)
            {
                _requests.Add(request);
            }
            var (status, body) = _handler(request);
            var bytes = Encoding.UTF8.GetBytes(body);
            var response = Encoding.ASCII.GetBytes(
                $"HTTP/1.0 {status} {(status == 200 ? "OK" : "Error")}\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\n\r\n");
            await tls.WriteAsync(response, timeout.Token);
            await tls.WriteAsync(bytes, timeout.Token);
            await tls.FlushAsync(timeout.Token);
            await tls.ShutdownAsync();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            // A client that gave up (e.g. the script refusing our certificate) ends its connection only.
        }
    }

    /// <summary>The request line and headers, up to the blank line; at most 16 KiB.</summary>
    private static async Task<string> ReadHead(Stream stream, CancellationToken token)
    {
        var buffer = new byte[16 * 1024];
        var length = 0;
        while (length < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(length), token);
            if (n == 0)
            {
                break;
            }
            length += n;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                return text[..end];
            }
        }
        throw new IOException("no complete request head");
    }

    private static (string CaPem, X509Certificate2 Server) IssueCertificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=fake kubernetes CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=kube-apiserver", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(Address);
        san.AddDnsName("kubernetes.default.svc");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(12),
            RandomNumberGenerator.GetBytes(12));
        using var withKey = issued.CopyWithPrivateKey(serverKey);
        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
        var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return (ca.ExportCertificatePem(), server);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // the accept loop ends with the listener
        }
        _serverCertificate.Dispose();
        _stop.Dispose();
    }
}
