using System.Collections.Concurrent;
using System.Collections.Immutable;
using Pulumi;
using Pulumi.Testing;
using Pulumi.Utilities;

namespace Infra.Tests.Stacks;

/// <summary>
/// Engine and provider stand-ins that behave like the real ones where the program's behaviour depends on it:
/// <list type="bullet">
/// <item>Random and Tls compute their outputs (<c>result</c>, PEMs) with distinctive fake values the tests look for;
/// in a preview of a new stack those outputs are unknown, as the providers' previews leave them.</item>
/// <item>Outputs the registration lists in <c>additionalSecretOutputs</c> come back secret: the engine does that for
/// every registration (pulumi/pulumi v3.258.0 pkg/resource/deploy/step_executor.go: "Ensure that any secrets properties
/// in the output are marked as such"), and the SDKs list e.g. RandomPassword's <c>result</c>, PrivateKey's
/// <c>privateKeyPem</c>, a Kubernetes Secret's <c>data</c>/<c>stringData</c> (their generated MakeResourceOptions).
/// RandomString's <c>result</c> is not listed and stays plain, as for real.</item>
/// <item>A read of an existing Kubernetes Secret (<c>Secret.Get</c>) answers from <paramref name="existingSecrets"/> (by
/// namespace/name, values as the API gives them: base64), secret, as the Kubernetes provider marks a Secret's data.</item>
/// </list>
/// </summary>
internal sealed class Mocks(RegistrationLog log, bool preview, IReadOnlyDictionary<string, string>? randomResults = null,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? existingSecrets = null) : IMocks
{
    /// <summary>Every value the mocks produced that the engine hands back as a secret.</summary>
    public ConcurrentBag<string> SecretValues { get; } = new();

    /// <summary>The (type, id, provider reference) of every read of an existing resource.</summary>
    public ConcurrentBag<(string Type, string Id, string Provider)> Reads { get; } = new();

    public Task<(string? id, object state)> NewResourceAsync(MockResourceArgs args)
    {
        var type = args.Type ?? "";
        var name = args.Name ?? "unnamed";
        if (args.Id is { Length: > 0 } id)
        {
            Reads.Add((type, id, args.Provider ?? ""));
            var read = ImmutableDictionary.CreateBuilder<string, object>();
            if (type == "kubernetes:core/v1:Secret" && existingSecrets?.GetValueOrDefault(id) is { } data)
            {
                foreach (var value in data.Values)
                {
                    SecretValues.Add(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(value)));
                }
                read["data"] = Output.CreateSecret(data.ToImmutableDictionary(e => e.Key, e => (object)e.Value));
            }
            return Task.FromResult<(string? id, object state)>((id, read.ToImmutable()));
        }
        var registration = log.Take(type, name);
        var state = ImmutableDictionary.CreateBuilder<string, object>();
        state.AddRange(args.Inputs);
        var computed = Computed(type, Squash(name));
        if (type == "random:index/randomPassword:RandomPassword" && randomResults?.FirstOrDefault(r => name.EndsWith($"-{r.Key}", StringComparison.Ordinal)).Value is { } given)
        {
            computed["result"] = given; // a rotation: the replaced RandomPassword's new result
        }
        foreach (var (key, value) in computed)
        {
            state[key] = value;
        }
        foreach (var key in state.Keys.ToList())
        {
            var secret = registration?.AdditionalSecretOutputs.Contains(key) == true;
            if (preview && computed.ContainsKey(key))
            {
                state[key] = secret ? Output.CreateSecret(OutputUtilities.CreateUnknown("")) : OutputUtilities.CreateUnknown("");
            }
            else if (secret)
            {
                Collect(state[key]);
                state[key] = Output.CreateSecret(state[key]);
            }
        }
        return Task.FromResult<(string? id, object state)>(($"{name}-id", state.ToImmutable()));
    }

    public Task<object> CallAsync(MockCallArgs args) => Task.FromResult<object>(args.Args);

    /// <summary>What the Random and Tls providers compute on create.</summary>
    private static Dictionary<string, object> Computed(string type, string name) => type switch
    {
        "random:index/randomPassword:RandomPassword" => new() { ["result"] = $"MockPassword{name}Zq7", ["bcryptHash"] = $"$2a$10$Mock{name}" },
        "random:index/randomString:RandomString" => new() { ["result"] = $"MockKey{name}" },
        // Tests give it min = max: a value a program knows only once the resource exists (e.g. a reserved address's octet).
        "random:index/randomInteger:RandomInteger" => new() { ["result"] = 10 },
        "tls:index/privateKey:PrivateKey" => new()
        {
            ["privateKeyPem"] = $"-----BEGIN PRIVATE KEY-----\nMockPrivateKey{name}\n-----END PRIVATE KEY-----\n",
            ["publicKeyPem"] = $"-----BEGIN PUBLIC KEY-----\nMockPub{name}\n-----END PUBLIC KEY-----\n",
        },
        "tls:index/selfSignedCert:SelfSignedCert" or "tls:index/locallySignedCert:LocallySignedCert" =>
            new() { ["certPem"] = $"-----BEGIN CERTIFICATE-----\nMockCert{name}\n-----END CERTIFICATE-----\n" },
        "tls:index/certRequest:CertRequest" =>
            new() { ["certRequestPem"] = $"-----BEGIN CERTIFICATE REQUEST-----\nMockCsr{name}\n-----END CERTIFICATE REQUEST-----\n" },
        _ => [],
    };

    /// <summary>Records the generated secret material inside a secret output (strings of Random/Tls origin).</summary>
    private void Collect(object value)
    {
        switch (value)
        {
            case string s when s.Contains("MockPassword", StringComparison.Ordinal) || s.Contains("MockPrivateKey", StringComparison.Ordinal):
                SecretValues.Add(s.Contains("MockPrivateKey", StringComparison.Ordinal) ? s.Split('\n')[1] : s);
                break;
            case IEnumerable<KeyValuePair<string, object>> map:
                foreach (var (_, v) in map)
                {
                    Collect(v);
                }
                break;
        }
    }

    private static string Squash(string name) => new(name.Where(char.IsAsciiLetterOrDigit).ToArray());
}
