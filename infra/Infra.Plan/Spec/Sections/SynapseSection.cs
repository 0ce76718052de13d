
namespace Infra.Plan.Spec.Sections;

/// <summary>Where Synapse lives and what of its config this project must merge with.</summary>
/// <param name="InternalUrl">In-cluster client API URL of the local Synapse, e.g. http://synapse.matrix.svc:8008; empty if none.</param>
/// <param name="ExistingConfigYaml">The operator's current values of the top-level sections the fragment owns (YAML).</param>
/// <param name="ExistingWellKnownJson">The current /.well-known/matrix/client document (JSON) to merge into.</param>
/// <param name="TurnSecretMountDir">Where the operator mounts the Synapse TURN Secret in the Synapse container; the fragment's turn_shared_secret_path points into it.</param>
/// <param name="Port">The Synapse pods' client API port the authorizer may reach (from <paramref name="InternalUrl"/>, else 8008).</param>
/// <param name="ExternalTurnUris">Without coturn (no host networking): an outside TURN server's URIs for Synapse's legacy 1:1 calls.</param>
/// <param name="ExternalTurnSecret">That server's TURN REST shared secret (a <c>secure:</c> value).</param>
public sealed record SynapseSpec(
    string Namespace,
    IReadOnlyList<NodeLabel> PodSelector,
    string InternalUrl,
    string ExistingConfigYaml,
    string ExistingWellKnownJson,
    bool TurnAllowGuests,
    string TurnSecretMountDir,
    int Port,
    IReadOnlyList<string> ExternalTurnUris,
    SecretInput ExternalTurnSecret);

public static partial class SynapseSection
{
    /// <summary>Synapse's default client listener port, used when no internal URL says otherwise.</summary>
    public const int DefaultPort = 8008;

    public static readonly ConfigKey Namespace = new("synapseNamespace", ConfigType.String,
        "Namespace where Synapse runs (this project never applies policies there).", "matrix");
    public static readonly ConfigKey PodSelector = new("synapsePodSelector", ConfigType.StringArray,
        "Labels (key=value) of the Synapse pods the authorizer may reach.", new[] { "app.kubernetes.io/name=synapse" });
    public static readonly ConfigKey InternalUrl = new("synapseInternalUrl", ConfigType.String,
        "In-cluster client API URL of the local Synapse (authorizer's LIVEKIT_CS_API_URL_OVERRIDES), e.g. " +
        "http://synapse.<synapseNamespace>.svc.<clusterDomain>:8008; empty if none. " +
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

    public static readonly ConfigKey ExternalTurnUris = new("synapseExternalTurnUris", ConfigType.StringArray,
        "Without host networking (no coturn): the turn:/turns: URIs of a TURN server you run elsewhere, which Synapse hands " +
        "out for legacy 1:1 calls (with synapseExternalTurnSecret); empty: Synapse hands out no TURN.", Array.Empty<string>());
    public static readonly ConfigKey ExternalTurnSecret = new("synapseExternalTurnSecret", ConfigType.String,
        "The TURN REST shared secret of that server (pulumi config set --secret); required with synapseExternalTurnUris.", Secret: true);

    public static IReadOnlyList<ConfigKey> Keys { get; } =
        [Namespace, PodSelector, InternalUrl, ExistingConfig, ExistingWellKnown, TurnAllowGuests, TurnSecretMountDir, ExternalTurnUris, ExternalTurnSecret];

    /// <param name="media">The media mode: an outside TURN server is for where coturn does not run.</param>
    public static SynapseSpec Read(ConfigReader r, MediaSpec media)
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
                r.Fail(InternalUrl, $"an absolute http(s) URL such as http://synapse.{ns}.svc:8008");
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

        var externalUris = new List<string>();
        foreach (var uri in r.List(ExternalTurnUris))
        {
            if (TurnUriPattern().IsMatch(uri))
            {
                externalUris.Add(uri);
            }
            else
            {
                r.Fail(ExternalTurnUris, $"\"{uri}\"", "TURN URIs such as turn:turn.example.org:3478?transport=udp or turns:turn.example.org:443?transport=tcp");
            }
        }
        var externalSecret = r.Secret(ExternalTurnSecret);
        if (media.HostNetwork && (r.IsChosen(ExternalTurnUris) || externalSecret.IsSet))
        {
            r.Fail(r.IsChosen(ExternalTurnUris) ? ExternalTurnUris : ExternalTurnSecret, "(set)",
                $"unset with {SfuSection.MediaExposureKey.FullName} hostNetwork: this deployment's coturn serves Synapse's TURN there");
        }
        else if (externalUris.Count > 0 && !externalSecret.IsSet && r.Errors.All(e => e.Key != ExternalTurnSecret.FullName))
        {
            r.Fail(ExternalTurnSecret, "(not set)", $"the shared secret of the TURN server in {ExternalTurnUris.FullName}, as a secure value: " +
                $"pulumi config set --secret {ExternalTurnSecret.FullName} <secret> (Synapse signs the credentials it hands out with it)");
        }
        return new SynapseSpec(ns, selector, url, existing, wellKnown, r.Bool(TurnAllowGuests),
            mountDir.TrimEnd('/'), port, externalUris, externalSecret);
    }

    /// <summary>RFC 7065 turn/turns URIs: scheme, host (or [IPv6]), optional port, optional transport.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^turns?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?(\?transport=(udp|tcp))?$")]
    private static partial System.Text.RegularExpressions.Regex TurnUriPattern();

    /// <summary>
    /// A Service name of the internal URL written out in full (<c>&lt;svc&gt;.&lt;ns&gt;.svc.&lt;zone&gt;</c>) must end in
    /// the cluster domain: any other zone resolves nowhere in this cluster. Short forms (<c>.svc</c>) resolve through
    /// the pod's search path and are fine.
    /// </summary>
    public static IEnumerable<ConfigError> CheckClusterDomain(SynapseSpec synapse, string clusterDomain)
    {
        if (!Uri.TryCreate(synapse.InternalUrl, UriKind.Absolute, out var uri))
        {
            yield break;
        }
        var labels = uri.Host.Split('.');
        if (labels.Length > 3 && labels[2] == "svc" && string.Join('.', labels[3..]) is var zone && zone != clusterDomain)
        {
            yield return ConfigError.Invalid(InternalUrl, $"\"{synapse.InternalUrl}\"",
                $"a Service name in the cluster domain {ClusterSection.ClusterDomain.FullName} (\"{clusterDomain}\"), " +
                $"e.g. {labels[0]}.{labels[1]}.svc.{clusterDomain} or {labels[0]}.{labels[1]}.svc; this URL names the domain \"{zone}\"");
        }
    }
}
