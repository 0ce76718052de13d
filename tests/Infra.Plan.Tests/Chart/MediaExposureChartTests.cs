using System.Text.Json.Nodes;
using k8s.Models;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Infra.Plan.Tests.Chart;

/// <summary>
/// The real livekit-server 1.9.0 chart, post-rendered, with the plan's own values of each media mode off the host
/// network (the example stacks Pulumi.nodeport.yaml and Pulumi.loadbalancer.yaml, every SFU release): no hostPort is
/// left, the pod meets Pod Security restricted, and a port keeps its number from LiveKit's config through the container
/// port to the Service that sends clients to it.
/// </summary>
public class MediaExposureChartTests
{
    public static TheoryData<string, int> SfuReleases => new() { { "nodeport", 0 }, { "loadbalancer", 0 }, { "loadbalancer", 1 } };

    private static (EnvironmentPlan Plan, SfuRelease Sfu, RenderedChart Chart) Render(string stack, int index)
    {
        var plan = Stacks.Plan(stack);
        var sfu = plan.Livekit.Sfus[index];
        return (plan, sfu, ChartRender.Render($"{stack}/{sfu.Release.Name}", plan, sfu.Release));
    }

    /// <summary>LiveKit's config as the chart's ConfigMap hands it over (after the post-renderer).</summary>
    private static YamlMappingNode Config(RenderedChart chart)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader((string)chart.Single("ConfigMap").At("data")!["config.yaml"]!));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string? Get(YamlMappingNode map, string path) =>
        path.Split('.').Aggregate((YamlNode?)map, (n, k) => n is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode(k), out var v) ? v : null) is YamlScalarNode s
            ? s.Value
            : null;

    [SkippableTheory]
    [MemberData(nameof(SfuReleases))]
    public void Off_the_host_network_the_chart_keeps_no_host_port_and_the_pod_is_restricted(string stack, int index)
    {
        var (_, _, chart) = Render(stack, index);

        // THEN no document of the release carries a hostPort, and the pod passes Pod Security restricted
        Assert.DoesNotContain("hostPort", chart.Output);
        var pod = chart.Single("Deployment").At("spec.template.spec")!;
        PodSecurityRestricted.Holds(pod, chart.Container);
        // AND every object passes the schema of its kind
        Assert.Empty(KubernetesSchemas.Validate(chart.Objects).Where(r => !r.Valid).Select(r => r.ToString()));
    }

    [SkippableTheory]
    [MemberData(nameof(SfuReleases))]
    public void Every_port_clients_reach_is_the_same_number_in_the_config_the_container_and_the_service(string stack, int index)
    {
        var (plan, sfu, chart) = Render(stack, index);
        var config = Config(chart);
        var containerPorts = chart.Container["ports"]!.AsArray()
            .ToDictionary(p => (string)p!["name"]!, p => ((long)p!["containerPort"]!, (string)p["protocol"]!));
        // LiveKit listens on (and, except TURN/TLS behind 443, advertises) the ports its config names
        var listens = new Dictionary<string, string?>
        {
            ["rtc-tcp"] = Get(config, "rtc.tcp_port"),
            ["rtc-udp"] = Get(config, "rtc.udp_port"),
            ["turn-udp"] = Get(config, "turn.udp_port"),
            ["turn-tls"] = Get(config, "turn.tls_port"),
        };

        // The Services that select this release's pods
        var labels = chart.Single("Deployment").At("spec.template.metadata.labels")!.AsObject().ToDictionary(kv => kv.Key, kv => (string)kv.Value!);
        var services = plan.Livekit.MediaObjects.OfType<V1Service>()
            .Where(s => s.Spec.Type is "NodePort" or "LoadBalancer" && s.Spec.Selector.All(kv => labels.GetValueOrDefault(kv.Key) == kv.Value))
            .ToList();
        Assert.NotEmpty(services);
        var servicePorts = services.SelectMany(s => s.Spec.Ports).ToList();
        Assert.Equal(stack == "loadbalancer" ? 4 : 3, servicePorts.Count);
        foreach (var port in servicePorts)
        {
            // THEN each Service port goes to the container port of its name and protocol, which is the port in LiveKit's config
            var (containerPort, protocol) = containerPorts[port.Name];
            Assert.Equal(protocol, port.Protocol);
            Assert.Equal(containerPort.ToString(), port.TargetPort.Value);
            Assert.Equal(containerPort.ToString(), listens[port.Name]);
            if (port.Name == "turn-tls")
            {
                // LiveKit hands out turns:<turn.domain>:443 (pkg/service/roommanager.go): the load balancer serves 443
                Assert.Equal(443, port.Port);
                continue;
            }
            Assert.Equal(containerPort, port.Port);
            if (port.NodePort is { } nodePort)
            {
                Assert.Equal(containerPort, nodePort);
            }
        }
        // AND the address each SFU advertises: its load balancer's, or (nodePort with hostIP) its node's through NODE_IP
        if (sfu.Address is { } address)
        {
            Assert.Equal(address, Get(config, "rtc.node_ip"));
            Assert.Equal("false", Get(config, "rtc.use_external_ip"));
        }
        else
        {
            var env = chart.Container["env"]!.AsArray().Single(e => (string)e!["name"]! == LivekitPlan.NodeIpEnv)!;
            Assert.Equal("status.hostIP", (string)env.At("valueFrom.fieldRef.fieldPath")!);
        }
    }

    [SkippableFact]
    public void With_a_load_balancer_livekit_serves_turn_tls_with_the_turn_names_certificate_and_a_config_it_accepts()
    {
        var (plan, _, chart) = Render("loadbalancer", 0);
        var config = Config(chart);

        // THEN the chart mounts the TURN name's Secret, and LiveKit's config keeps every TURN key but the chart's own
        var pod = chart.Single("Deployment").At("spec.template.spec")!;
        var volume = pod["volumes"]!.AsArray().Single(v => (string?)v!.At("secret.secretName") == plan.Topology.Turn.TlsSecretName)!;
        Assert.Contains(chart.Container["volumeMounts"]!.AsArray(), m => (string)m!["name"]! == (string)volume["name"]! && (string)m["mountPath"]! == "/etc/lkcert");
        // AND every Secret volume, the chart's certificate mount included, gives "others" nothing (the chart sets no mode there)
        Assert.All(pod["volumes"]!.AsArray().Where(v => v!["secret"] is not null), v => Assert.Equal(0, (long)v!.At("secret.defaultMode")! & 0b111));
        Assert.Null(Get(config, "turn.secretName"));
        Assert.Equal(("true", plan.Spec.Site.TurnHost, "5349", "false"),
            (Get(config, "turn.enabled"), Get(config, "turn.domain"), Get(config, "turn.tls_port"), Get(config, "turn.external_tls")));
        // AND nothing LiveKit's strict config would refuse
        var tree = new YamlDotNet.Serialization.Deserializer().Deserialize<object>((string)chart.Single("ConfigMap").At("data")!["config.yaml"]!);
        Assert.Empty(Livekit.LivekitConfigSchema.UnknownKeys(tree));
    }
}
