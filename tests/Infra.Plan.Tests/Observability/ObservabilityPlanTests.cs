using System.Text.Json;
using k8s.Models;
using Infra.Plan.Components.Observability;
using Infra.Plan.Components.Redis;
using Infra.Plan.Kubernetes;
using Infra.Plan.Policy;
using Infra.Plan.Secrets;
using Infra.Plan.Tests.Checks;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Observability;

public sealed class ObservabilityPlanTests
{
    private static EnvironmentPlan Monitored(params (string, Infra.Plan.Spec.ConfigValue)[] extra) =>
        Planner.Build(Stacks.Parse(Stacks.With([("monitoring", Stacks.S("true")), .. extra])).OrThrow());

    private static ComponentPlan Component(EnvironmentPlan plan) => plan.Observability!.Contract;

    /// <summary>The monitoring component's input as the planner builds it for <paramref name="plan"/>.</summary>
    private static ObservabilityInput Input(EnvironmentPlan plan) =>
        ObservabilityInput.From(plan.Derived, plan.Livekit.Sfu, plan.Coturn!.Peer, plan.Redis?.Redis, plan.Egress?.Pods);


    [Fact]
    public void Nothing_is_deployed_when_monitoring_is_off()
    {
        // GIVEN dev (monitoring off) WHEN planned THEN there is no observability component (its CRDs may not exist)
        Assert.DoesNotContain(Stacks.Plan("dev").Components, c => c.Name == ObservabilityPlan.Component);
        Assert.Null(RedisInput.From(Stacks.Plan("dev").Derived).ExporterImage);
        Assert.DoesNotContain(Stacks.Plan("dev").Redis!.StatefulSet.Spec.Template.Spec.Containers, c => c.Name == RedisExporter.ContainerName);
    }

    [Fact]
    public void The_sfu_coturn_and_redis_each_get_a_metrics_service_and_a_monitor_the_operator_selects()
    {
        // GIVEN monitoring on with managed Redis
        var plan = Monitored();
        var objects = Component(plan).Objects;

        // WHEN looking at the Services and ServiceMonitors
        var services = objects.OfType<V1Service>().ToDictionary(s => s.Metadata.Name);
        var monitors = objects.OfType<CustomObject>().Where(o => o.Kind == "ServiceMonitor").ToList();

        // THEN the SFU, coturn and Redis each have one of each, in the right namespace, on the right metrics port
        Assert.Equal(new[] { "coturn-metrics", ScrapeTargets.SfuJob, "redis-metrics" }, services.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(plan.Spec.Ports.SfuMetrics, services[ScrapeTargets.SfuJob].Spec.Ports.Single().Port);
        Assert.Equal(plan.Livekit.Sfu.Selector, services[ScrapeTargets.SfuJob].Spec.Selector);
        Assert.Equal("matrix-rtc-media", services[ScrapeTargets.SfuJob].Metadata.NamespaceProperty);
        Assert.Equal(9641, services["coturn-metrics"].Spec.Ports.Single().Port);
        Assert.Equal(RedisExporter.Port, services["redis-metrics"].Spec.Ports.Single().Port);
        Assert.Equal("matrix-rtc-media", services["coturn-metrics"].Metadata.NamespaceProperty);
        Assert.Equal("matrix-rtc", services["redis-metrics"].Metadata.NamespaceProperty);
        Assert.Equal(3, monitors.Count);
        foreach (var monitor in monitors)
        {
            var service = services[monitor.Metadata.Name];
            var yaml = ManifestWriter.Write([monitor]);
            Assert.Contains($"matrix-rtc/metrics: {service.Metadata.Labels[MetricsServices.TargetLabel]}", yaml);
            Assert.Contains("port: metrics", yaml);
            Assert.Equal(service.Metadata.NamespaceProperty, monitor.Metadata.NamespaceProperty);
            Assert.Equal("kube-prometheus-stack", monitor.Metadata.Labels["release"]);
        }
        // The SFU's ServiceMonitor is ours, never the chart's (whose labels a default kube-prometheus-stack ignores).
        Assert.Contains("serviceMonitor:\n  create: false", plan.Livekit.Release.Values.Content);
    }

    [Fact]
    public void The_coturn_service_selects_the_coturn_pods_and_their_metrics_port()
    {
        var plan = Monitored();
        var service = Component(plan).Objects.OfType<V1Service>().Single(s => s.Metadata.Name == ScrapeTargets.CoturnJob);
        var daemonSet = plan.Coturn!.Contract.Objects.OfType<V1DaemonSet>().Single();
        Assert.All(service.Spec.Selector, kv => Assert.Equal(kv.Value, daemonSet.Spec.Template.Metadata.Labels[kv.Key]));
        Assert.Contains("prometheus-port=9641", string.Join("\n", plan.Coturn!.Contract.Objects.OfType<V1ConfigMap>().SelectMany(c => c.Data.Values)));
    }

    [Fact]
    public void The_operator_selector_labels_come_from_config()
    {
        var plan = Monitored(("monitoringSelectorLabels", Stacks.L("prometheus=main")));
        var rule = Component(plan).Objects.OfType<CustomObject>().Single(o => o.Kind == "PrometheusRule");
        Assert.Equal("main", rule.Metadata.Labels["prometheus"]);
        Assert.False(rule.Metadata.Labels.ContainsKey("release"));
    }

    [Fact]
    public void Alerts_cover_redis_media_nodes_and_capacity_with_the_tiers_numbers()
    {
        // GIVEN prod (managed Redis, monitoring on)
        var plan = Stacks.Plan("prod");
        var sizing = plan.Sizing;
        var rules = AlertRules.Groups(Input(plan)).SelectMany(g => g.Rules).ToDictionary(r => r.Name);

        // THEN every required alert exists, with thresholds from the spec and the capacity model
        Assert.Contains("role=\"master\"", rules["MatrixRtcRedisNoMaster"].Expr);
        Assert.EndsWith($"< {plan.Spec.Redis.Quorum}", rules["MatrixRtcSentinelQuorumLost"].Expr);
        Assert.Equal($"up{{job=\"{ScrapeTargets.SfuJob}\",namespace=\"matrix-rtc-media\"}} == 0", rules["MatrixRtcSfuNodeDown"].Expr);
        Assert.EndsWith($"< {sizing.SfuReplicas}", rules["MatrixRtcSfuNodesMissing"].Expr);
        Assert.Contains("coturn-metrics", rules["MatrixRtcCoturnDown"].Expr);
        Assert.EndsWith($"> {Math.Ceiling(plan.Sizing.Load.Participants * AlertRules.NearCapacityShare)}", rules["MatrixRtcParticipantsNearCapacity"].Expr);
        // the capacity model's ceiling: the SFU's cores less the headroom target
        Assert.EndsWith($"> {(sizing.SfuCores * (1 - Infra.Plan.Sizing.CapacityModel.TargetHeadroom)).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)}",
            rules["MatrixRtcSfuCpuNearLimit"].Expr);
        Assert.All(rules.Values, r => Assert.Contains(r.Severity, new[] { "critical", "warning" }));
    }

    [Fact]
    public void Egress_is_scraped_and_alerted_on_when_recordings_fail_or_capacity_runs_out()
    {
        // GIVEN prod (Egress and monitoring on)
        var plan = Stacks.Plan("prod");
        var egress = plan.Sizing.Egress!;
        var services = Component(plan).Objects.OfType<V1Service>().ToDictionary(s => s.Metadata.Name);
        var rules = AlertRules.Groups(Input(plan)).Single(g => g.Group == "matrix-rtc.egress").Rules.ToDictionary(r => r.Name);

        // THEN its metrics Service selects the egress chart's pods on its Prometheus port, in the project namespace
        var service = services[ScrapeTargets.EgressJob];
        Assert.Equal(plan.Spec.Site.Namespace, service.Metadata.NamespaceProperty);
        Assert.Equal(plan.Egress!.Pods.Selector, service.Spec.Selector.AsReadOnly());
        Assert.Equal(Infra.Plan.Components.Egress.EgressPlan.MetricsPort, service.Spec.Ports.Single().Port);
        // a failed recording (every outcome but a normal end), no room for one more, or 80% of the slots busy
        Assert.Contains("livekit_egress_handler_results_total", rules["MatrixRtcEgressRecordingsFailing"].Expr);
        Assert.All(AlertRules.FailedResults, r => Assert.Contains(r, rules["MatrixRtcEgressRecordingsFailing"].Expr));
        Assert.DoesNotContain("completed", rules["MatrixRtcEgressRecordingsFailing"].Expr);
        Assert.Contains("livekit_egress_can_accept_request", rules["MatrixRtcEgressNoCapacity"].Expr);
        Assert.EndsWith($">= {Math.Ceiling(egress.Capacity * AlertRules.NearCapacityShare)}", rules["MatrixRtcEgressNearCapacity"].Expr);
        Assert.EndsWith($"< {egress.Replicas}", rules["MatrixRtcEgressDown"].Expr);
        // and nothing of it without Egress
        Assert.DoesNotContain(AlertRules.Groups(Input(Monitored())), g => g.Group == "matrix-rtc.egress");
        Assert.DoesNotContain(Component(Monitored()).Objects.OfType<V1Service>(), s => s.Metadata.Name == ScrapeTargets.EgressJob);
    }

    [Fact]
    public void A_smaller_tier_moves_the_capacity_thresholds()
    {
        var small = Monitored(("tier", Stacks.S("small")));
        var medium = Monitored(("tier", Stacks.S("medium")), ("mediaNodeCount", Stacks.S("2")));
        string Threshold(EnvironmentPlan p) => AlertRules.Groups(Input(p)).SelectMany(g => g.Rules).Single(r => r.Name == "MatrixRtcCallsNearCapacity").Expr.Split("> ")[1];
        // 80% of the calls each tier is sized for
        Assert.Equal(Math.Ceiling(small.Sizing.Load.Calls * AlertRules.NearCapacityShare).ToString(), Threshold(small));
        Assert.Equal(Math.Ceiling(medium.Sizing.Load.Calls * AlertRules.NearCapacityShare).ToString(), Threshold(medium));
        Assert.True(medium.Sizing.Load.Calls > small.Sizing.Load.Calls);
    }

    [Fact]
    public void Alerts_only_name_jobs_that_a_ServiceMonitor_creates()
    {
        var plan = Stacks.Plan("prod");
        var jobs = Component(plan).Objects.OfType<V1Service>().Select(s => s.Metadata.Name).ToHashSet();
        foreach (var rule in AlertRules.Groups(Input(plan)).SelectMany(g => g.Rules))
        {
            foreach (var job in System.Text.RegularExpressions.Regex.Matches(rule.Expr, "job=\"([^\"]+)\"").Select(m => m.Groups[1].Value))
            {
                Assert.Contains(job, jobs);
            }
        }
    }

    [Fact]
    public void Existing_Redis_is_neither_scraped_nor_alerted_on()
    {
        var plan = Monitored(
            ("redisMode", Stacks.S("existing")),
            ("existingSentinelMasterName", Stacks.S("mymaster")),
            ("existingSentinelAddresses", Stacks.L("sentinel.redis.svc:26379")),
            ("existingRedisPasswordSecret", Stacks.S("redis/password")));
        Assert.DoesNotContain(Component(plan).Objects.OfType<V1Service>(), s => s.Metadata.Name == ScrapeTargets.RedisJob);
        Assert.DoesNotContain(AlertRules.Groups(Input(plan)), g => g.Group == "matrix-rtc.redis");
    }

    [Fact]
    public void The_dashboard_is_valid_json_labelled_for_the_grafana_sidecar()
    {
        var cm = Component(Stacks.Plan("prod")).Objects.OfType<V1ConfigMap>().Single();
        Assert.Equal("1", cm.Metadata.Labels["grafana_dashboard"]);
        using var doc = JsonDocument.Parse(cm.Data[Dashboard.FileName]);
        var panels = doc.RootElement.GetProperty("panels").EnumerateArray().ToList();
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        Assert.Contains(panels, p => p.GetProperty("title").GetString()!.StartsWith("Participants (planned max 1000)", StringComparison.Ordinal));
        Assert.Equal(Dashboard.Uid, doc.RootElement.GetProperty("uid").GetString());
    }

    [Fact]
    public void The_redis_exporter_sidecar_meets_the_policies_and_reads_the_password_from_a_Secret()
    {
        // GIVEN monitoring on
        var spec = Monitored().Spec;
        var password = new SecretRef(spec.Site.Namespace, SecretNames.RedisAuth, "redis-password");

        // WHEN the Redis plan asks for the sidecar
        var sidecar = RedisExporter.Sidecar(spec.Observability.RedisExporterImage, spec.Redis.Tls, password);

        // THEN it listens where the scrape target looks, takes the password by reference, and sizes itself
        Assert.Equal(RedisExporter.Port, sidecar.Ports.Single().ContainerPort);
        var env = sidecar.Env.Single(e => e.Name == "REDIS_PASSWORD");
        Assert.Null(env.Value);
        Assert.Equal((SecretNames.RedisAuth, "redis-password"), (env.ValueFrom.SecretKeyRef.Name, env.ValueFrom.SecretKeyRef.Key));
        var view = Workloads.FromObject(new V1Deployment
        {
            Kind = "Deployment",
            Metadata = new V1ObjectMeta { Name = "r" },
            Spec = new V1DeploymentSpec { Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = [sidecar] } } },
        })!;
        Assert.Empty(ResourcePolicy.Check([view]));
    }

    [Fact]
    public void The_monitoring_objects_break_no_policy()
    {
        var plan = Monitored();
        var violations = PolicyChecks.Check(plan).Select(v => v.ToString()).Concat(OwnOutputChecks.Check(plan).Select(v => v.ToString())).ToList();
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }
}
