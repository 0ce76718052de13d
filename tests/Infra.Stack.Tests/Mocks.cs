using System.Collections.Concurrent;
using System.Collections.Immutable;
using Pulumi.Testing;

namespace Infra.Tests.Stacks;

/// <summary>
/// Engine mocks: every registration is recorded (type, name, inputs, provider), and the outputs a real provider
/// would compute are filled in for Random and Tls, with distinctive fake values so tests can look for them.
/// </summary>
internal sealed class Mocks : IMocks
{
    public ConcurrentQueue<MockResourceArgs> Registered { get; } = new();

    /// <summary>Results to hand a Random resource of that name instead of the default fake (a rotation, in tests).</summary>
    public Dictionary<string, string> RandomResults { get; init; } = new();

    /// <summary>Every value the mocks produced that a real provider would treat as secret.</summary>
    public ConcurrentBag<string> SecretValues { get; } = new();

    public Task<(string? id, object state)> NewResourceAsync(MockResourceArgs args)
    {
        Registered.Enqueue(args);
        var state = ImmutableDictionary.CreateBuilder<string, object>();
        state.AddRange(args.Inputs);
        var name = args.Name ?? "unnamed";
        switch (args.Type)
        {
            case "random:index/randomPassword:RandomPassword":
                state["result"] = Secret(RandomResults.GetValueOrDefault(name, $"MockPassword{Squash(name)}Zq7"));
                break;
            case "random:index/randomString:RandomString":
                state["result"] = Secret($"MockKey{Squash(name)}");
                break;
            case "tls:index/privateKey:PrivateKey":
                state["privateKeyPem"] = $"-----BEGIN PRIVATE KEY-----\n{Secret($"MockPrivateKey{Squash(name)}")}\n-----END PRIVATE KEY-----\n";
                state["publicKeyPem"] = $"-----BEGIN PUBLIC KEY-----\nMockPub{Squash(name)}\n-----END PUBLIC KEY-----\n";
                break;
            case "tls:index/selfSignedCert:SelfSignedCert":
            case "tls:index/locallySignedCert:LocallySignedCert":
                state["certPem"] = $"-----BEGIN CERTIFICATE-----\nMockCert{Squash(name)}\n-----END CERTIFICATE-----\n";
                break;
            case "tls:index/certRequest:CertRequest":
                state["certRequestPem"] = $"-----BEGIN CERTIFICATE REQUEST-----\nMockCsr{Squash(name)}\n-----END CERTIFICATE REQUEST-----\n";
                break;
        }
        return Task.FromResult<(string? id, object state)>(($"{name}-id", state.ToImmutable()));
    }

    public Task<object> CallAsync(MockCallArgs args) => Task.FromResult<object>(args.Args);

    /// <summary>Records <paramref name="token"/> (unique per resource) as secret material and returns it.</summary>
    private string Secret(string token)
    {
        SecretValues.Add(token);
        return token;
    }

    private static string Squash(string name) => new(name.Where(char.IsAsciiLetterOrDigit).ToArray());

    public IReadOnlyList<MockResourceArgs> OfType(string type) => Registered.Where(r => r.Type == type).ToList();
}
