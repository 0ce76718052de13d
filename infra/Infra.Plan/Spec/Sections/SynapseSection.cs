
namespace Infra.Plan.Spec.Sections;

/// <summary>Where Synapse lives and what of its config this project must merge with.</summary>
/// <param name="InternalUrl">In-cluster client API URL of the local Synapse, e.g. http://synapse.matrix.svc:8008; empty if none.</param>
/// <param name="ExistingConfigYaml">The operator's current values of the top-level sections the fragment owns (YAML).</param>
/// <param name="ExistingWellKnownJson">The current /.well-known/matrix/client document (JSON) to merge into.</param>
/// <param name="TurnSecretMountDir">Where the operator mounts the Synapse TURN Secret in the Synapse container; the fragment's turn_shared_secret_path points into it.</param>
/// <param name="Port">The Synapse pods' client API port the authorizer may reach (from <paramref name="InternalUrl"/>, else 8008).</param>
public sealed record SynapseSpec(
    string Namespace,
    IReadOnlyList<NodeLabel> PodSelector,
    string InternalUrl,
    string ExistingConfigYaml,
    string ExistingWellKnownJson,
    bool TurnAllowGuests,
    string TurnSecretMountDir,
    int Port);

public static class SynapseSection
{
    /// <summary>Synapse's default client listener port, used when no internal URL says otherwise.</summary>
    public const int DefaultPort = 8008;

    public static readonly ConfigKey Namespace = new("synapseNamespace", ConfigType.String,
        "Namespace where Synapse runs (this project never applies policies there).", "matrix");
    public static readonly ConfigKey PodSelector = new("synapsePodSelector", ConfigType.StringArray,
        "Labels (key=value) of the Synapse pods the authorizer may reach.", new[] { "app.kubernetes.io/name=synapse" });
    public static readonly ConfigKey InternalUrl = new("synapseInternalUrl", ConfigType.String,
        "In-cluster client API URL of the local Synapse (authorizer's LIVEKIT_CS_API_URL_OVERRIDES); empty if none. " +
        "Its port must be the Synapse pods' port: NetworkPolicies see the pod port, not the Service port.", "");
    public static readonly ConfigKey ExistingConfig = new("synapseExistingConfig", ConfigType.String,
        "YAML of your homeserver's current values of the sections the fragment owns (experimental_features, rc_message, " +
        "rc_delayed_event_mgmt, matrix_rtc, max_event_delay_duration, turn_*), merged into the fragment because Synapse " +
        "merges config files shallowly.", "");
    public static readonly ConfigKey ExistingWellKnown = new("wellKnownClientExisting", ConfigType.String,
        "Your current /.well-known/matrix/client JSON, merged with the rtc_foci entry.", "");
    public static readonly ConfigKey TurnAllowGuests = new("synapseTurnAllowGuests", ConfigType.Boolean,
        "Let guest users get TURN credentials from Synapse (legacy 1:1 calls).", false);
    public static readonly ConfigKey TurnSecretMountDir = new("synapseTurnSecretMountDir", ConfigType.String,
        "Directory where you mount the Secret matrix-rtc-synapse-turn into the Synapse container (turn_shared_secret_path points into it).",
        "/secrets/matrix-rtc");

    public static IReadOnlyList<ConfigKey> Keys { get; } =
        [Namespace, PodSelector, InternalUrl, ExistingConfig, ExistingWellKnown, TurnAllowGuests, TurnSecretMountDir];

    public static SynapseSpec Read(ConfigReader r)
    {
        var selector = ClusterSection.Labels(r, PodSelector);
        var ns = r.DnsLabel(Namespace);
        var url = r.String(InternalUrl);
        var port = DefaultPort;
        if (url.Length > 0)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                port = uri.Port;
                // The authorizer's egress policy targets synapseNamespace: a Service name in another
                // namespace would be silently blocked.
                var labels = uri.Host.Split('.');
                if (labels.Length >= 3 && labels[2] == "svc" && labels[1] != ns)
                {
                    r.Fail(InternalUrl, $"a Service in {Namespace.FullName} (\"{ns}\"); this URL names namespace \"{labels[1]}\"");
                }
            }
            else
            {
                r.Fail(InternalUrl, "an absolute http(s) URL such as http://synapse.matrix.svc.cluster.local:8008");
            }
        }

        // The YAML and JSON values are checked against what the fragment owns after parsing (Checks/ConfigRules.cs).
        var existing = r.String(ExistingConfig);
        var wellKnown = r.String(ExistingWellKnown);

        var mountDir = r.String(TurnSecretMountDir);
        if (!mountDir.StartsWith('/') || mountDir.Contains("..") || mountDir.Any(char.IsWhiteSpace) || mountDir.Contains(':'))
        {
            r.Fail(TurnSecretMountDir, "an absolute directory path without spaces, ':' or '..', e.g. /secrets/matrix-rtc");
            mountDir = (string)TurnSecretMountDir.Default!;
        }

        return new SynapseSpec(ns, selector, url, existing, wellKnown, r.Bool(TurnAllowGuests),
            mountDir.TrimEnd('/'), port);
    }
}
