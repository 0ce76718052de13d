using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Components.Egress;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Components.Redis;
using Infra.Plan.Components.Synapse;
using Infra.Plan.Contract;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components;

/// <summary>An output of a component: a string, a list of strings, or a secret string.</summary>
public enum OutputType
{
    String,
    StringArray,
    SecretString,
}

/// <summary>One typed output of a reusable component, as every language sees it.</summary>
public sealed record ComponentOutput(string Name, OutputType Type, string Description);

/// <summary>
/// A value a component used alone takes from another component instead of generating it (e.g. the authorizer takes
/// the LiveKit API key the LiveKit component generated). <paramref name="GeneratedId"/> is the id the plans read it by;
/// inside <c>MatrixRtc</c> the component that generates it supplies it.
/// </summary>
public sealed record ProvidedInput(string Name, string GeneratedId, bool Secret, string Description);

/// <summary>
/// A reusable component as a user makes it (<c>new RedisSentinel(name, args)</c> in any Pulumi language): its type token,
/// the inputs of its Args and its outputs. The inputs are stack config keys under the same names, so a component used
/// alone has the same defaults, rules and docs as the stack; <see cref="Fixed"/> are keys a component used alone cannot
/// choose (LiveKit alone always reaches an existing Redis through the <c>existing*</c> keys), <see cref="Provided"/>
/// values it takes from other components. <see cref="Build"/> is the component's plan within an environment.
/// <see cref="CapacityWarnings"/>: whether the capacity model's warnings (about the SFUs) concern it.
/// </summary>
public sealed record ComponentDefinition(
    string TypeName,
    string Description,
    IReadOnlyList<ConfigKey> Inputs,
    IReadOnlyList<ProvidedInput> Provided,
    IReadOnlyList<ComponentOutput> Outputs,
    Func<Derived, IComponentPlan?> Build,
    Func<Derived, IComponentPlan, IReadOnlyDictionary<string, object>> OutputValues,
    IReadOnlyDictionary<string, string>? Fixed = null,
    bool CapacityWarnings = false)
{
    public string Token => $"{ConfigKey.Project}:index:{TypeName}";

    public IReadOnlyDictionary<string, string> FixedKeys => Fixed ?? new Dictionary<string, string>();
}

/// <summary>
/// Every component a user can make alone, in one table: which config keys each one's Args take, which values it takes
/// from other components, what it outputs. The Pulumi classes (components/), the served schema, the generated docs
/// (docs/components/) and the standalone planner (<see cref="ComponentPlanner"/>) all read this table.
/// </summary>
public static class ComponentCatalog
{
    private static readonly ConfigKey[] Sizing = [.. LoadSection.Keys];

    /// <summary>Keys every namespaced component takes: where it lives and whether production policies apply.</summary>
    private static readonly ConfigKey[] Where = [SiteSection.Namespace, SiteSection.MediaNamespace, SiteSection.Production];

    private static ConfigKey[] Keys(params IEnumerable<ConfigKey>[] groups) =>
        groups.SelectMany(g => g).Distinct().ToArray();

    private static readonly ConfigKey[] ExistingRedis =
        [RedisSection.Tls, RedisSection.ExistingMaster, RedisSection.ExistingAddresses, RedisSection.ExistingPassword, RedisSection.ExistingSentinelPassword, RedisSection.ExistingCa];

    private static readonly Dictionary<string, string> UsesExistingRedis = new() { [RedisSection.Mode.Name] = "existing" };

    public static ComponentDefinition RedisSentinel { get; } = new(
        "RedisSentinel",
        "Redis (or Valkey) with Sentinel: 3 data pods and their sentinels, quick to fail over and never on a hiccup; " +
        "its passwords (and with TLS its CA) are copied into the media namespace for LiveKit.",
        Keys(Where, Sizing,
            RedisSection.Keys.Except([RedisSection.Mode, .. ExistingRedis.Except([RedisSection.Tls])]),
            [ImagesSection.RedisImage, ClusterSection.ClusterDomain, ClusterSection.Monitoring, ObservabilitySection.RedisExporterImage],
            // Which SFU Deployments read the password copy (one per load-balancer address): their pods roll when it rotates.
            [SfuSection.MediaExposureKey, SfuSection.LoadBalancerAddresses]),
        [],
        [
            new("masterName", OutputType.String, "The Sentinel master name clients ask for."),
            new("sentinelAddresses", OutputType.StringArray, "host:port of every sentinel (cluster DNS names)."),
            new("passwordSecret", OutputType.String, "name/key of the Redis password in the media namespace (LiveKit's existingRedisPasswordSecret)."),
            new("sentinelPasswordSecret", OutputType.String, "name/key of the sentinels' password in the media namespace (existingSentinelPasswordSecret)."),
            new("caSecret", OutputType.String, "With redisTls: name/key of the CA certificate in the media namespace (existingRedisCaSecret); else empty."),
            new("caCertificate", OutputType.String, "With redisTls: the CA certificate PEM (public) clients trust; else empty."),
            new("password", OutputType.SecretString, "The Redis password."),
            new("sentinelPassword", OutputType.SecretString, "The sentinels' password."),
        ],
        d => RedisPlan.Build(RedisInput.From(d)),
        (d, _) => new Dictionary<string, object>
        {
            ["masterName"] = d.Topology.Redis.MasterName,
            ["sentinelAddresses"] = d.Topology.Redis.SentinelAddresses.ToArray(),
            ["passwordSecret"] = $"{d.Topology.Redis.Password.Name}/{d.Topology.Redis.Password.Key}",
            ["sentinelPasswordSecret"] = d.Topology.Redis.SentinelPassword is { } sp ? $"{sp.Name}/{sp.Key}" : "",
            ["caSecret"] = d.Topology.Redis.TlsCa is { } ca ? $"{ca.Name}/{ca.Key}" : "",
            ["caCertificate"] = d.Spec.Redis.Tls ? new SecretSource.IssuerCertificate(RedisPlan.ServerCertificateId) : "",
            ["password"] = new SecretSource.Random(RedisPlan.RedisPasswordId),
            ["sentinelPassword"] = new SecretSource.Random(RedisPlan.SentinelPasswordId),
        },
        new Dictionary<string, string> { [RedisSection.Mode.Name] = "managed" });

    public static ComponentDefinition Coturn { get; } = new(
        "Coturn",
        "coturn as a DaemonSet on the media nodes' host network: shared-secret TURN over UDP, TCP and TLS, quotas, private " +
        "and metadata ranges denied as peers, the node's public address behind 1:1 NAT.",
        Keys([SiteSection.TurnHost, SiteSection.MediaNamespace, SiteSection.Production], Sizing,
            [ImagesSection.CoturnImage, ImagesSection.PullSecrets], NodesSection.Keys, PortsSection.Keys.Except(PortsSection.EmbeddedTurnKeys), TlsSection.Keys,
            TurnSection.Keys, [ClusterSection.Monitoring]),
        [],
        [
            new("turnUris", OutputType.StringArray, "turn: and turns: URIs clients are given."),
            new("turnHost", OutputType.String, "The public TURN name."),
            new("sharedSecretName", OutputType.String, "The Secret (media namespace) holding the TURN REST shared secret."),
            new("sharedSecret", OutputType.SecretString, "The TURN REST shared secret (Synapse's turn_shared_secret)."),
        ],
        d => CoturnPlan.Build(CoturnInput.From(d)),
        (d, _) => new Dictionary<string, object>
        {
            ["turnUris"] = d.Topology.Turn.Uris.ToArray(),
            ["turnHost"] = d.Topology.Turn.Host,
            ["sharedSecretName"] = d.Topology.Turn.SharedSecret.Name,
            ["sharedSecret"] = new SecretSource.Random(CoturnPlan.SharedSecretId),
        });

    public static ComponentDefinition LiveKit { get; } = new(
        "LiveKit",
        "The LiveKit SFU: a Helm release of the official livekit-server chart running this project's media-relay image on " +
        "the media nodes, several nodes sharing rooms through Redis Sentinel, draining calls before a pod stops.",
        Keys([SiteSection.RtcHost, SiteSection.TurnHost], Where, Sizing,
            [ImagesSection.MediaRelayRepository, ImagesSection.MediaRelayTag, ImagesSection.MediaRelayDigest, ImagesSection.LivekitVersion,
             ImagesSection.ChartVersion, ImagesSection.PullSecrets],
            NodesSection.Keys, PortsSection.Keys, TlsSection.Keys, RoutingSection.Keys, ExistingRedis, SfuSection.Keys,
            [TurnSection.CredentialTtl], [ClusterSection.ClusterDomain, ClusterSection.Monitoring]),
        [],
        [
            new("sfuUrl", OutputType.String, "The wss URL clients connect to (through the authorizer's token)."),
            new("serviceUrl", OutputType.String, "The SFU's in-cluster WebSocket URL (Egress and other in-cluster clients)."),
            new("apiKey", OutputType.SecretString, "The LiveKit API key id (not secret in itself, exported with its secret)."),
            new("apiSecret", OutputType.SecretString, "The LiveKit API secret."),
        ],
        d => LivekitPlan.Build(LivekitInput.From(d)),
        (d, _) => new Dictionary<string, object>
        {
            ["sfuUrl"] = d.Topology.SfuWssUrl,
            ["serviceUrl"] = d.Topology.SfuServiceUrl,
            ["apiKey"] = new SecretSource.Random(LivekitPlan.ApiKeyId),
            ["apiSecret"] = new SecretSource.Random(LivekitPlan.ApiSecretId),
        },
        UsesExistingRedis,
        CapacityWarnings: true);

    public static ComponentDefinition Authorizer { get; } = new(
        "Authorizer",
        "The MatrixRTC authorizer (lk-jwt-service): exchanges a Matrix OpenID token for a short-lived LiveKit JWT.",
        Keys([SiteSection.ServerName, SiteSection.RtcHost], Where, Sizing, [ImagesSection.AuthorizerImage, ImagesSection.PullSecrets],
            [PortsSection.AuthorizerPort], TlsSection.Keys, RoutingSection.Keys, [SynapseSection.InternalUrl]),
        [
            new("livekitApiKey", LivekitPlan.ApiKeyId, true, "The LiveKit API key id (LiveKit's apiKey output)."),
            new("livekitApiSecret", LivekitPlan.ApiSecretId, true, "The LiveKit API secret (LiveKit's apiSecret output)."),
        ],
        [
            new("livekitServiceUrl", OutputType.String, "The authorizer's public URL: Synapse's livekit_service_url."),
            new("serviceHost", OutputType.String, "The authorizer's in-cluster host name."),
        ],
        d => AuthorizerPlan.Build(AuthorizerInput.From(d)),
        (d, _) => new Dictionary<string, object>
        {
            ["livekitServiceUrl"] = d.Topology.Authorizer.LivekitServiceUrl,
            ["serviceHost"] = d.Topology.Authorizer.ServiceHost,
        });

    public static ComponentDefinition Egress { get; } = new(
        "Egress",
        "LiveKit Egress: records calls to object storage and streams them, on its own nodes' pod network. It reaches " +
        "LiveKit through the RedisSentinel of the same namespace (namespace, redisDataNodes, redisTls) and its values.",
        Keys([SiteSection.RtcHost], Where, Sizing, [ImagesSection.PullSecrets], EgressSection.Keys.Except([EgressSection.Enabled]),
            [RedisSection.DataNodes, RedisSection.Tls, PortsSection.SfuApiPort, ClusterSection.ClusterDomain, ClusterSection.Monitoring]),
        [
            new("livekitApiKey", LivekitPlan.ApiKeyId, true, "The LiveKit API key id (LiveKit's apiKey output)."),
            new("livekitApiSecret", LivekitPlan.ApiSecretId, true, "The LiveKit API secret (LiveKit's apiSecret output)."),
            new("redisPassword", RedisPlan.RedisPasswordId, true, "The Redis password (RedisSentinel's password output)."),
            new("sentinelPassword", RedisPlan.SentinelPasswordId, true, "The sentinels' password (RedisSentinel's sentinelPassword output)."),
            new("redisCaCertificate", RedisPlan.ServerCertificateId, false, "With redisTls: the CA certificate PEM Redis serves under (RedisSentinel's caCertificate output)."),
        ],
        [],
        d => EgressPlan.Build(EgressInput.From(d)),
        (_, _) => new Dictionary<string, object>(),
        new Dictionary<string, string> { [RedisSection.Mode.Name] = "managed", [EgressSection.Enabled.Name] = "true" });

    public static ComponentDefinition SynapseConfig { get; } = new(
        "SynapseConfig",
        "The homeserver side: Synapse's MatrixRTC config fragment (MSC4143 transports, TURN), the legacy .well-known, and " +
        "the TURN secret as a file in Synapse's namespace.",
        // sfuMediaExposure: without host networking there is no coturn, so no turn_uris.
        Keys([SiteSection.ServerName, SiteSection.RtcHost, SiteSection.TurnHost], [PortsSection.TurnPort, PortsSection.TurnTlsPort, PortsSection.TurnTlsOn443, SfuSection.MediaExposureKey],
            SynapseSection.Keys, [TurnSection.CredentialTtl]),
        [new("turnSharedSecret", CoturnPlan.SharedSecretId, true, "The TURN REST shared secret (Coturn's sharedSecret output).")],
        [
            new("matrixRtcYaml", OutputType.String, "The Synapse config fragment (no secret: the TURN secret is a file path)."),
            new("wellKnownClientJson", OutputType.String, "The /.well-known/matrix/client JSON with the legacy rtc_foci entry."),
        ],
        d => SynapsePlan.Build(SynapseInput.From(d)),
        (_, plan) => new Dictionary<string, object>
        {
            ["matrixRtcYaml"] = ((SynapsePlan)plan).FragmentYaml,
            ["wellKnownClientJson"] = ((SynapsePlan)plan).WellKnownClientJson,
        });

    /// <summary>
    /// Default-deny and exactly the flows the deployment needs. Its peers are the workloads the other components plan
    /// from the same keys (never retyped selectors or ports), so it takes the environment's keys: use it alone to put
    /// the policies of a deployment made of the components above, configured alike, in place.
    /// </summary>
    public static ComponentDefinition NetworkPolicies { get; } = new(
        "NetworkPolicies",
        "Default-deny plus exactly the flows the calling backend needs, for the CNI named by `cni` (Cilium policies where " +
        "host-network traffic needs them). The workloads are its peers: planned from the same keys as the other components.",
        ConfigSchema.AllKeys.Where(k => k != SiteSection.KubeContext).ToArray(),
        [],
        [new("policyNames", OutputType.StringArray, "namespace/name of every policy it makes.")],
        d => Planner.Build(d.Spec).Network,
        (_, plan) => new Dictionary<string, object> { ["policyNames"] = ((Network.NetworkPlan)plan).PolicyNames });

    /// <summary>Every component a user can make alone, in the order the docs list them.</summary>
    public static IReadOnlyList<ComponentDefinition> All { get; } = [RedisSentinel, Coturn, LiveKit, Authorizer, Egress, SynapseConfig, NetworkPolicies];

    public static ComponentDefinition? Find(string typeName) => All.FirstOrDefault(c => c.TypeName == typeName);
}
