namespace Infra.Plan.Spec.Sections;

/// <summary>Where Synapse lives and what of its config this project must merge with.</summary>
/// <param name="InternalUrl">In-cluster client API URL of the local Synapse, e.g. http://synapse.matrix.svc:8008; empty if none.</param>
/// <param name="ExistingConfigYaml">The operator's current values of the top-level sections the fragment owns (YAML).</param>
/// <param name="ExistingWellKnownJson">The current /.well-known/matrix/client document (JSON) to merge into.</param>
public sealed record SynapseSpec(
    string Namespace,
    IReadOnlyList<NodeLabel> PodSelector,
    string InternalUrl,
    string ExistingConfigYaml,
    string ExistingWellKnownJson,
    bool TurnAllowGuests);

public static class SynapseSection
{
    public static readonly ConfigKey Namespace = new("synapseNamespace", ConfigType.String,
        "Namespace where Synapse runs (this project never applies policies there).", "matrix");
    public static readonly ConfigKey PodSelector = new("synapsePodSelector", ConfigType.StringArray,
        "Labels (key=value) of the Synapse pods the authorizer may reach.", new[] { "app.kubernetes.io/name=synapse" });
    public static readonly ConfigKey InternalUrl = new("synapseInternalUrl", ConfigType.String,
        "In-cluster client API URL of the local Synapse (authorizer's LIVEKIT_CS_API_URL_OVERRIDES); empty if none.", "");
    public static readonly ConfigKey ExistingConfig = new("synapseExistingConfig", ConfigType.String,
        "YAML of your homeserver's current experimental_features / rc_message / ... sections, merged into the fragment.", "");
    public static readonly ConfigKey ExistingWellKnown = new("wellKnownClientExisting", ConfigType.String,
        "Your current /.well-known/matrix/client JSON, merged with the rtc_foci entry.", "");
    public static readonly ConfigKey TurnAllowGuests = new("synapseTurnAllowGuests", ConfigType.Boolean,
        "Let guest users get TURN credentials from Synapse (legacy 1:1 calls).", false);

    public static IReadOnlyList<ConfigKey> Keys { get; } = [Namespace, PodSelector, InternalUrl, ExistingConfig, ExistingWellKnown, TurnAllowGuests];

    public static SynapseSpec Read(ConfigReader r)
    {
        var selector = new List<NodeLabel>();
        foreach (var item in r.List(PodSelector))
        {
            var eq = item.IndexOf('=');
            if (eq > 0)
            {
                selector.Add(new NodeLabel(item[..eq], item[(eq + 1)..]));
            }
            else
            {
                r.Fail(PodSelector, $"\"{item}\"", "labels as key=value");
            }
        }
        var url = r.String(InternalUrl);
        if (url.Length > 0 && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            r.Fail(InternalUrl, "an absolute http(s) URL such as http://synapse.matrix.svc.cluster.local:8008");
        }
        return new SynapseSpec(r.DnsLabel(Namespace), selector, url, r.String(ExistingConfig), r.String(ExistingWellKnown), r.Bool(TurnAllowGuests));
    }
}
