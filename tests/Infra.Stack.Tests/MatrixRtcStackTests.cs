using Infra.PostRender.Contract;
using Infra.PulumiCli;
using System.Text.Json;
using Infra.Plan.Components;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Contract;
using Infra.Plan.Components.Synapse;
using Infra.Plan.Secrets;
using Infra.Plan.Spec;
using Pulumi;
using YamlDotNet.RepresentationModel;
using static Infra.Tests.Stacks.RunQueries;
using static Infra.Tests.Stacks.StackRun;

namespace Infra.Tests.Stacks;

/// <summary>
/// The Pulumi program under mocks, for every stack file in preview and update mode, judged by what the SDK would send
/// the engine (<see cref="SdkTestHost"/>): which resources, through which provider, waiting for what, with which inputs,
/// and which of them secret. Nothing here looks inside the component classes.
/// </summary>
public sealed class MatrixRtcStackTests
{
    [Theory]
    [MemberData(nameof(EveryStackInBothModes), MemberType = typeof(StackRun))]
    public async Task Every_rendered_object_is_registered_once_and_exactly_as_rendered(string stack, bool preview)
    {
        // GIVEN the program's registrations and render's manifests for the same stack file
        var run = await RunAsync(stack, preview);
        var grouped = run.GroupObjects().ToList();
        var typed = run.TypedObjects().Select(t => t.Key).ToList();

        // THEN a group whose workloads read generated Secrets carries their rotation hash (SecretHashes) in its YAML, so
        // a new stack's preview sends exactly those groups' YAML as unknown (as the engine would see it); an update none
        foreach (var component in run.Plan.Components.Where(c => c.Objects.Any(o => o is not k8s.Models.V1Namespace)))
        {
            var group = Assert.Single(run.ChildrenOf(run.ComponentOf(component)), r => r.Type == ConfigGroupType);
            var expectUnknown = preview && run.YamlUnknownInPreview(component);
            Assert.True(expectUnknown == group.IsUnknownAt("yaml"), $"{group}: YAML is {(expectUnknown ? "known" : "unknown")} in {(preview ? "a preview" : "an update")}");
            Assert.True(expectUnknown || group.String("yaml") is { Length: > 0 }, $"{group}: no YAML sent");
        }
        Assert.True(!preview || run.OfType(ConfigGroupType).Any(g => g.IsUnknownAt("yaml")), "a preview knows every rotation hash");
        // (The objects of a group with unknown YAML: the plan's, registered by their component's group.)
        var pending = run.PlannedGroupObjects().Where(p => p.Group.IsUnknownAt("yaml")).Select(p => p.Object.Key).ToList();

        // AND every rendered object is registered exactly once: in a ConfigGroup with the same content (but for the
        // rotation hash on a pod template), typed, or in the group of its component whose YAML the preview cannot know
        foreach (var rendered in run.RenderedObjects())
        {
            var inGroups = grouped.Where(g => g.Object.Key == rendered.Key).ToList();
            var asTyped = typed.Count(k => k == rendered.Key);
            var inUnknown = pending.Count(k => k == rendered.Key);
            Assert.True(inGroups.Count + asTyped + inUnknown == 1,
                $"{rendered}: registered {inGroups.Count} time(s) in ConfigGroups, {asTyped} time(s) typed, {inUnknown} time(s) in a group with unknown YAML");
            if (inGroups.Count == 1)
            {
                Assert.Equal(rendered.Canonical, WithoutRotationHash(inGroups[0].Object).Canonical);
            }
        }
        // AND no ConfigGroup registers anything render does not show
        var renderedKeys = run.RenderedObjects().Select(o => o.Key).ToHashSet();
        Assert.All(grouped, g => Assert.Contains(g.Object.Key, renderedKeys));
        // AND the program's components and the single release and provider are there
        var components = run.Registrations.Where(r => !r.Custom && !r.Remote && r.Type.StartsWith("matrix-rtc:", StringComparison.Ordinal)).Select(r => r.Type).ToList();
        foreach (var type in new[] { "Namespaces", "NetworkPolicies", "LiveKit", "Authorizer", "SynapseConfig" })
        {
            Assert.True(components.Count(c => c == $"matrix-rtc:index:{type}") == 1, type);
        }
        // coturn only on the host network (sfuMediaExposure)
        Assert.Equal(run.Plan.Spec.Sfu.Media.HostNetwork ? 1 : 0, components.Count(c => c == "matrix-rtc:index:Coturn"));
        Assert.Equal(run.Plan.Spec.Redis.Mode == Infra.Plan.Spec.Sections.RedisMode.Managed ? 1 : 0, components.Count(c => c == "matrix-rtc:index:RedisSentinel"));
        Assert.Equal(run.Plan.Spec.Cluster.Monitoring ? 1 : 0, components.Count(c => c == "matrix-rtc:index:Monitoring"));
        Assert.Equal(run.Plan.Tls is null ? 0 : 1, components.Count(c => c == "matrix-rtc:index:Tls"));
        run.Release();
    }

    [Theory]
    [MemberData(nameof(EveryStackInBothModes), MemberType = typeof(StackRun))]
    public async Task Every_Kubernetes_registration_goes_through_the_stacks_provider(string stack, bool preview)
    {
        var run = await RunAsync(stack, preview);
        var provider = run.KubernetesProvider();
        var reference = run.ProviderRef();

        // The one provider uses the configured context (none: the kubeconfig's current one).
        Assert.Equal(run.Plan.Spec.Site.KubeContext.Length > 0 ? run.Plan.Spec.Site.KubeContext : null, provider.String("context"));
        Assert.Single(run.Registrations, r => r.Type.StartsWith("pulumi:providers:", StringComparison.Ordinal));

        // Custom resources (typed objects, the Release) name it as their provider...
        Assert.All(run.Registrations.Where(r => r.IsKubernetes && r.Custom), r => Assert.True(r.Provider == reference, $"{r}: provider {r.Provider}"));
        // ...and remote components (ConfigGroups) carry it in their providers map: the SDK sends a remote component
        // only the providers of its own options (pulumi-dotnet Deployment_Prepare.cs), never its parent's.
        var groups = run.Registrations.Where(r => r.IsKubernetes && r.Remote).ToList();
        Assert.NotEmpty(groups);
        Assert.All(groups, g => Assert.True(g.Providers.GetValueOrDefault("kubernetes") == reference, $"{g}: providers {JsonSerializer.Serialize(g.Providers)}"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_configured_kube_context_is_the_one_the_provider_uses(bool preview)
    {
        // GIVEN dev with a kube context set (both stack files leave kubeContext empty, so the every-stack test above
        // compares "not sent" with "not sent")
        const string context = "admin@rtc-staging";
        var run = await RunAsync("dev", Config("dev", ("kubeContext", context)), preview);

        // THEN the one Kubernetes provider is registered with it, known in both modes (it is config, not an output)
        Assert.Equal(context, run.KubernetesProvider().String("context"));
        Assert.Single(run.Registrations, r => r.Type.StartsWith("pulumi:providers:", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(EveryStackInBothModes), MemberType = typeof(StackRun))]
    public async Task Every_Kubernetes_object_waits_for_the_namespace_it_lives_in(string stack, bool preview)
    {
        var run = await RunAsync(stack, preview);
        var namespaces = run.OfType(NamespaceType).ToDictionary(n => n.Metadata.Name, n => n.Urn);
        Assert.Equal([run.Plan.Spec.Site.Namespace, run.Plan.Spec.Site.MediaNamespace], namespaces.Keys.Order());

        // A group's objects from the plan: a preview knows every group's dependencies, not every group's YAML.
        var planned = run.PlannedGroupObjects().GroupBy(p => p.Group.Urn).ToDictionary(g => g.Key, g => g.Select(p => p.Object.Namespace).ToHashSet());
        var checkedObjects = 0;
        var missing = new List<string>();
        foreach (var r in run.Registrations.Where(r => r.IsKubernetes && r.Type != NamespaceType))
        {
            var inNamespaces = r.Type == ConfigGroupType ? planned[r.Urn]
                : r.Type == ReleaseType ? [r.String("namespace") ?? ""]
                : [r.Metadata.Namespace];
            var waits = run.WaitsFor(r);
            foreach (var ns in inNamespaces.Where(namespaces.ContainsKey))
            {
                if (!waits.Contains(namespaces[ns]))
                {
                    missing.Add($"{r} creates objects in {ns} but does not wait for that Namespace");
                }
                checkedObjects++;
            }
        }
        Assert.True(missing.Count == 0, string.Join("\n", missing));
        Assert.True(checkedObjects > 5, "too few objects in the project's namespaces");
    }

    [Theory]
    [MemberData(nameof(EveryStackInBothModes), MemberType = typeof(StackRun))]
    public async Task Every_workload_waits_for_the_Secrets_it_reads_and_the_SFU_for_its_Redis(string stack, bool preview)
    {
        var run = await RunAsync(stack, preview);
        var secrets = run.OfType(SecretType).GroupBy(s => s.Metadata).ToDictionary(g => g.Key, g => Assert.Single(g).Urn);

        // Workloads inside ConfigGroups (Redis, coturn, the authorizer): each Secret their pods read that this stack
        // creates must exist before the group's objects are created. (The plan's objects: a new stack's preview sends
        // some groups' YAML as unknown, but every group's dependencies.)
        var pairs = 0;
        foreach (var (group, workload) in run.PlannedGroupObjects().Where(g => IsWorkload(g.Object)))
        {
            var waits = run.WaitsFor(group);
            foreach (var name in SecretsRead(workload).Where(n => secrets.ContainsKey((workload.Namespace, n))))
            {
                Assert.True(waits.Contains(secrets[(workload.Namespace, name)]), $"{workload} reads Secret {name}, but {group} does not wait for it");
                pairs++;
            }
        }
        // Redis and the authorizer read Secrets of this stack, and coturn where it runs
        Assert.True(pairs >= (run.Plan.Coturn is null ? 2 : 3), $"only {pairs} workload/Secret pairs found");

        // Each SFU release (rendered by Helm, so read from its values): the Secrets the post-renderer wires in, the API keys
        // and, where LiveKit serves TURN/TLS, the certificate the chart mounts.
        foreach (var sfu in run.Plan.Livekit.Sfus)
        {
            var release = run.Release(sfu.Release.Name);
            var ns = release.String("namespace")!;
            var values = Values(run.ReleaseValues(sfu.Release.Name));
            var wiring = JsonDocument.Parse(Scalar(Child(values, "podAnnotations"), SecretWiring.Annotation)).RootElement;
            var read = wiring.GetProperty("env").EnumerateArray().Select(e => e.GetProperty("secret").GetString()!)
                .Concat(wiring.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("secret").GetString()!))
                .Append(Scalar(Child(values, "storeKeysInSecret"), "existingSecret"))
                .Concat(Child(Child(values, "livekit"), "turn").Children.TryGetValue(new YamlScalarNode("secretName"), out var cert) ? [((YamlScalarNode)cert).Value!] : Array.Empty<string>())
                .ToHashSet();
            // coturn's shared secret, which LiveKit signs TURN credentials with, on the host network; its own TURN's certificate behind load balancers
            Assert.Equal(run.Plan.Coturn is not null, read.Contains(SecretNames.TurnShared));
            Assert.Equal(sfu.Address is not null, read.Contains(run.Plan.Topology.Turn.TlsSecretName));
            var releaseWaits = run.WaitsFor(release);
            foreach (var name in read.Where(n => secrets.ContainsKey((ns, n))))
            {
                Assert.True(releaseWaits.Contains(secrets[(ns, name)]), $"the SFU reads Secret {ns}/{name}, but the Release does not wait for it");
            }
            Assert.True(run.Plan.Coturn is null || secrets.ContainsKey((ns, SecretNames.TurnShared)), "the TURN Secret is not created by the stack");

            // And LiveKit's Redis: the Services its sentinel addresses name must exist before the SFU starts.
            var services = run.PlannedGroupObjects().Where(g => g.Object.Kind == "Service").ToDictionary(g => (g.Object.Namespace, g.Object.Name), g => g.Group.Urn);
            var addresses = ((YamlSequenceNode)Child(Child(values, "livekit"), "redis").Children[new YamlScalarNode("sentinel_addresses")]).Children
                .Select(a => ((YamlScalarNode)a).Value!.Split(':')[0].Split('.')).ToList();
            var managed = 0;
            foreach (var labels in addresses)
            {
                var svc = Array.IndexOf(labels, "svc");
                if (svc >= 2 && services.TryGetValue((labels[svc - 1], labels[svc - 2]), out var groupUrn))
                {
                    Assert.True(releaseWaits.Contains(groupUrn), $"the SFU uses Redis at {string.Join('.', labels)}, but the Release does not wait for it");
                    managed++;
                }
            }
            Assert.True((run.Plan.Spec.Redis.Mode == Infra.Plan.Spec.Sections.RedisMode.Managed) == managed > 0,
                $"{managed} managed Redis Service(s) found for redisMode {run.Plan.Spec.Redis.Mode}");
        }
    }

    [Theory]
    [MemberData(nameof(EveryStackInBothModes), MemberType = typeof(StackRun))]
    public async Task Every_component_creates_its_objects_and_releases_after_its_own_Secrets(string stack, bool preview)
    {
        // GIVEN a stack's components
        var run = await RunAsync(stack, preview);

        // THEN each component's Secrets are its children, and its ConfigGroup and each of its Releases wait for every one
        // of them (dependencies are known in a preview too): a pod, or Synapse reading the fragment, never starts
        // before the Secret it mounts exists
        var covered = new List<string>();
        foreach (var component in run.Plan.Components.Where(c => c.Secrets.Count > 0))
        {
            var children = run.ChildrenOf(run.ComponentOf(component));
            var secrets = children.Where(r => r.Type == SecretType).ToList();
            Assert.Equal(component.Secrets.Select(s => (s.Namespace, s.Name)).Order(), secrets.Select(s => s.Metadata).Order());
            var users = children.Where(r => r.Type is ConfigGroupType or ReleaseType).ToList();
            Assert.Equal((component.Objects.Any(o => o is not k8s.Models.V1Namespace) ? 1 : 0) + component.Releases.Count, users.Count);
            foreach (var user in users)
            {
                var waits = run.WaitsFor(user);
                Assert.All(secrets, s => Assert.True(waits.Contains(s.Urn), $"{component.Name}: {user} does not wait for its Secret {s.Metadata}"));
            }
            if (users.Count > 0)
            {
                covered.Add(component.Name);
            }
        }
        // AND that was every component that has Secrets and something using them (TLS mostly fills Secrets others mount;
        // with a Gateway in another namespace it also renders the ReferenceGrant that lets the listener read one)
        var expected = new List<string> { LivekitPlan.Component, Infra.Plan.Components.Authorizer.AuthorizerPlan.Component };
        if (run.Plan.Coturn is not null)
        {
            // coturn's shared secret, and Synapse's copy of it (neither without host networking)
            expected.AddRange([CoturnPlan.Component, SynapsePlan.Component]);
        }
        var tls = run.Plan.Components.SingleOrDefault(c => c.Name == Infra.Plan.Components.Tls.TlsPlan.Component);
        if (tls is not null && tls.Secrets.Count > 0 && tls.Objects.Any(o => o is not k8s.Models.V1Namespace))
        {
            expected.Add(Infra.Plan.Components.Tls.TlsPlan.Component);
        }
        if (run.Plan.Spec.Redis.Mode == Infra.Plan.Spec.Sections.RedisMode.Managed)
        {
            expected.Add(Infra.Plan.Components.Redis.RedisPlan.Component);
        }
        if (run.Plan.Egress is not null)
        {
            expected.Add(Infra.Plan.Components.Egress.EgressPlan.Component);
        }
        Assert.Equal(expected.Order(StringComparer.Ordinal), covered.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(EveryStackInBothModes), MemberType = typeof(StackRun))]
    public async Task Synapse_signs_TURN_credentials_with_coturns_secret(string stack, bool preview)
    {
        var run = await RunAsync(stack, preview);
        var turn = run.Plan.Topology.Turn.SharedSecret;
        if (run.Plan.Synapse.TurnSecret is not { } synapse)
        {
            // No coturn without host networking: no TURN secret is made, for coturn or for Synapse
            Assert.Null(run.Plan.Coturn);
            Assert.DoesNotContain(run.OfType(SecretType), s => s.Metadata == (turn.Namespace, turn.Name));
            Assert.DoesNotContain(run.OfType(RandomPasswordType), r => r.Name.EndsWith(CoturnPlan.SharedSecretId, StringComparison.Ordinal));
            return;
        }
        var coturnSecret = Assert.Single(run.OfType(SecretType), s => s.Metadata == (turn.Namespace, turn.Name));
        var synapseSecret = Assert.Single(run.OfType(SecretType), s => s.Metadata == (synapse.Namespace, synapse.Name));

        // Both Secrets' data come from the same generated password, and from nothing else that is generated
        string Source(Registration secret)
        {
            var sources = secret.PropertyDependencies.GetValueOrDefault("stringData", []).Where(u => u.Contains(RandomPasswordType, StringComparison.Ordinal)).ToList();
            return Assert.Single(sources);
        }
        Assert.Equal(Source(coturnSecret), Source(synapseSecret));

        // AND (update: values are known) the value Synapse mounts is the value coturn accepts; a new stack's preview
        // cannot know either yet
        var synapseKey = Assert.Single(synapse.Entries).Key;
        if (!preview)
        {
            var coturnValue = coturnSecret.String("stringData", turn.Key);
            Assert.NotNull(coturnValue);
            Assert.Equal(coturnValue, synapseSecret.String("stringData", synapseKey));
        }
        else
        {
            Assert.True(coturnSecret.IsUnknownAt("stringData", turn.Key), "coturn's TURN secret is known in a new stack's preview");
            Assert.True(synapseSecret.IsUnknownAt("stringData", synapseKey), "Synapse's TURN secret is known in a new stack's preview");
        }
    }

    [Theory]
    [MemberData(nameof(EveryStackInBothModes), MemberType = typeof(StackRun))]
    public async Task The_release_installs_the_pinned_chart_with_the_reviewed_values_through_the_post_renderer(string stack, bool preview)
    {
        var run = await RunAsync(stack, preview);
        var spec = run.Plan.Spec;
        // Every SFU release: one, or one per load-balancer address
        Assert.Equal(run.Plan.Livekit.Sfus.Select(r => r.Release.Name).Order(), run.OfType(ReleaseType).Select(r => r.String("name")!)
            .Where(n => n.StartsWith(Names.LivekitRelease, StringComparison.Ordinal)).Order());
        foreach (var planned in run.Plan.Livekit.Sfus.Select(r => r.Release))
        {
            var release = run.Release(planned.Name);

            Assert.Equal(Names.LivekitChart, release.String("chart"));
            Assert.Equal(spec.Images.LivekitChartVersion, release.String("version"));
            Assert.Equal(Names.LivekitChartRepo, release.String("repositoryOpts", "repo"));
            Assert.Equal(spec.Site.MediaNamespace, release.String("namespace"));
            Assert.Equal(planned.Name, release.String("name"));
            // Beyond the reviewed file, only the rotation hash of the Secrets the SFU reads (a pod annotation; unknown in a
            // new stack's preview).
            var extra = release.Inputs.TryGetProperty("values", out var v) ? Registration.Unwrap(v) : default;
            Assert.Equal(["podAnnotations"], extra.EnumerateObject().Select(p => p.Name));
            var rotation = Registration.Unwrap(extra.GetProperty("podAnnotations"));
            if (!preview)
            {
                Assert.Equal([SecretHashes.Annotation], rotation.EnumerateObject().Select(p => p.Name));
                Assert.Matches("^[0-9a-f]{64}$", rotation.GetProperty(SecretHashes.Annotation).GetString());
            }
            else
            {
                Assert.True(release.IsUnknownAt("values", "podAnnotations"), "the SFU's rotation hash is known in a new stack's preview");
            }
            // The values are render's helm/livekit-values.yaml, byte for byte, with the post-renderer's identity
            Assert.Equal(planned.Values.Content, run.ReleaseValues(planned.Name));
            Assert.Equal(PostRendererInput.RecordedValue, Scalar(Child(Values(run.ReleaseValues(planned.Name)), PostRendererInput.ValuesKey), PostRendererInput.IdentityEntry));

            // The post-renderer: the versioned tool, by its command name (Helm finds it in PATH), the same on every machine.
            Assert.Equal(PostRendererInput.Command, release.String("postrender"));

            // Waiting: never atomic (a rollback mid-drain cuts calls), said explicitly; the plan's await decision and its timeout.
            Assert.False(release.Bool("atomic") ?? throw new Xunit.Sdk.XunitException("atomic is not sent"));
            var wait = planned.Wait;
            Assert.Equal(wait.SkipAwait, release.Bool("skipAwait"));
            Assert.Equal(wait.TimeoutSeconds, release.Int("timeout"));
        }
    }

    [Theory]
    [MemberData(nameof(EveryStackInBothModes), MemberType = typeof(StackRun))]
    public async Task Every_release_sends_the_plans_rollout_settings_explicitly(string stack, bool preview)
    {
        // GIVEN a stack's planned releases (the SFU's; Egress's where it is on)
        var run = await RunAsync(stack, preview);
        var planned = run.Plan.Components.SelectMany(c => c.Releases).ToList();
        Assert.Equal(planned.Select(p => p.Name).Order(StringComparer.Ordinal), run.OfType(ReleaseType).Select(r => r.String("name")!).Order(StringComparer.Ordinal));

        // THEN each Release carries the plan's atomic flag, history limit and await settings as sent fields: a field
        // left out would take the provider's default, which a reader of `?? false` cannot tell from the plan's false
        foreach (var plan in planned)
        {
            var release = run.Release(plan.Name);
            Assert.True(release.Bool("atomic") == plan.Atomic, $"{plan.Name}: atomic sent as {release.Bool("atomic")?.ToString() ?? "nothing"}, planned {plan.Atomic}");
            Assert.True(release.Int("maxHistory") == plan.MaxHistory, $"{plan.Name}: maxHistory sent as {release.Int("maxHistory")?.ToString() ?? "nothing"}, planned {plan.MaxHistory}");
            Assert.True(release.Bool("skipAwait") == plan.Wait.SkipAwait, $"{plan.Name}: skipAwait sent as {release.Bool("skipAwait")?.ToString() ?? "nothing"}");
            Assert.True(release.Int("timeout") == plan.Wait.TimeoutSeconds, $"{plan.Name}: timeout sent as {release.Int("timeout")?.ToString() ?? "nothing"}");
            Assert.InRange(plan.MaxHistory, 1, 100); // bounded: Helm keeps every revision (with its values) when 0
        }
    }

    [Theory]
    // drain 3 h (default): 1 SFU × (10800 s + 300 s) exceeds 30 min, so skip the await and keep Helm's timeout at 30 min
    [InlineData(null, true, 1800)]
    // drain 60 s: 1 × (60 + 300) s fits, so await the rollout for that long
    [InlineData("60", false, 360)]
    public async Task The_release_awaits_the_rollout_only_when_it_fits_in_half_an_hour(string? drainSeconds, bool skipAwait, int timeout)
    {
        var run = await RunAsync("dev", Config("dev", ("sfuDrainSeconds", drainSeconds)));
        var release = run.Release();
        Assert.Equal(1, run.Plan.Sizing.SfuReplicas);
        Assert.Equal(skipAwait, release.Bool("skipAwait"));
        Assert.Equal(timeout, release.Int("timeout"));
    }

    [Theory]
    [MemberData(nameof(EveryStackInBothModes), MemberType = typeof(StackRun))]
    public async Task Generated_secrets_travel_only_as_secrets(string stack, bool preview)
    {
        var run = await RunAsync(stack, preview);
        var generated = run.Mocks.SecretValues.Distinct().ToList();
        // The authorizer's copy of the LiveKit API secret: a generated value every stack makes (the TURN secret only with coturn)
        var (apiNs, apiName, apiKey) = (run.Plan.Spec.Site.Namespace, SecretNames.LivekitApi, ApiKeys.Secret);
        var apiSecret = Assert.Single(run.OfType(SecretType), s => s.Metadata == (apiNs, apiName));
        if (preview)
        {
            // A new stack's preview: the generated values are unknown (sent as such, not left out), so none can leak yet.
            Assert.Empty(generated);
            Assert.True(apiSecret.IsUnknownAt("stringData", apiKey), "the API secret is known in a new stack's preview");
            return;
        }
        Assert.NotEmpty(generated);

        // No registration carries a generated secret outside a secret wrapper: not in a ConfigGroup's YAML (ConfigMaps
        // included), not in the Helm values, not in a Secret's metadata.
        foreach (var r in run.Registrations)
        {
            var plain = r.PlainStrings().ToList();
            foreach (var secret in generated)
            {
                Assert.False(plain.Any(s => s.Contains(secret, StringComparison.Ordinal)), $"{r} carries generated secret material in plain text");
            }
        }
        // And the scan can see them: the API secret travels, wrapped, in the authorizer's Secret.
        Assert.True(apiSecret.IsSecretAt("stringData", apiKey), "the API secret is not sent as a secret");
        Assert.Contains(generated, g => apiSecret.String("stringData", apiKey) == g);
    }

    [Theory]
    [MemberData(nameof(EveryStackInBothModes), MemberType = typeof(StackRun))]
    public async Task Stack_outputs_are_secret_where_they_hold_secrets_and_match_the_plan(string stack, bool preview)
    {
        var run = await RunAsync(stack, preview);
        var s = run.Stack;

        Assert.True(await Output.IsSecretAsync(s.TurnSharedSecret));
        Assert.True(await Output.IsSecretAsync(s.LivekitApiKey));
        Assert.True(await Output.IsSecretAsync(s.LivekitApiSecret));
        var coturn = run.Plan.Coturn is not null;
        if (!preview)
        {
            // No coturn without host networking: no TURN secret, empty (and still marked secret)
            Assert.True(coturn ? (await ValueOf(s.TurnSharedSecret)).StartsWith("MockPassword", StringComparison.Ordinal) : await ValueOf(s.TurnSharedSecret) == "");
            Assert.StartsWith("APIMockKey", await ValueOf(s.LivekitApiKey));
            Assert.StartsWith("MockPassword", await ValueOf(s.LivekitApiSecret));
        }
        else
        {
            // A new stack's preview cannot know generated values: unknown, not empty or a placeholder
            foreach (var generated in coturn ? [s.TurnSharedSecret, s.LivekitApiKey, s.LivekitApiSecret] : new[] { s.LivekitApiKey, s.LivekitApiSecret })
            {
                Assert.False(await Pulumi.Utilities.OutputUtilities.GetIsKnownAsync(generated));
            }
        }
        Assert.False(await Output.IsSecretAsync(s.SfuUrl));
        Assert.Equal(run.Plan.Topology.SfuWssUrl, await ValueOf(s.SfuUrl));
        Assert.Equal($"https://{run.Plan.Spec.Site.RtcHost}", await ValueOf(s.AuthorizerUrl));
        Assert.Equal(run.Plan.Topology.Turn.Uris, await ValueOf(s.TurnUris));
        Assert.Equal(coturn, (await ValueOf(s.TurnUris)).Contains($"turns:{run.Plan.Spec.Site.TurnHost}:{run.Plan.Spec.Ports.TurnTls}?transport=tcp"));
        Assert.Equal(Infra.Plan.Rendering.StackExports.CapacitySummary(run.Plan), await ValueOf(s.CapacitySummary));
        Assert.Equal(Infra.Plan.Rendering.StackExports.SynapseFragment(run.Plan), await ValueOf(s.SynapseConfigYaml));
        Assert.False(await Output.IsSecretAsync(s.SynapseConfigYaml));
    }

    [Fact]
    public async Task Namespaces_carry_their_Pod_Security_levels()
    {
        var run = await RunAsync("dev");
        var levels = run.OfType(NamespaceType).ToDictionary(n => n.Metadata.Name, n => n.String("metadata", "labels", "pod-security.kubernetes.io/enforce"));
        Assert.Equal("restricted", levels["matrix-rtc"]);
        Assert.Equal("privileged", levels["matrix-rtc-media"]);
    }

    [Fact]
    public async Task Broken_config_fails_with_one_clear_line_per_mistake_and_registers_nothing()
    {
        // GIVEN dev with an unknown tier and a misspelt key (both pass the CLI: a string, and an undeclared key)
        var config = Config("dev", ("tier", "huge"), ("tlsMod", "self-signed"));

        // WHEN the program runs
        var e = await Assert.ThrowsAsync<ProgramFailedException>(() => RunAsync("dev", config));

        // THEN the message names each key, the bad value and what is allowed; nothing but the stack was registered
        Assert.Contains("matrix-rtc:tier: \"huge\" is not allowed", e.Message);
        Assert.Contains("matrix-rtc:tlsMod: is not a known key; did you mean matrix-rtc:tlsMode?", e.Message);
        Assert.DoesNotContain("   at ", e.Message);
        Assert.Equal(["pulumi:pulumi:Stack"], e.Registrations.Select(r => r.Type));
    }

    [Fact]
    public async Task A_policy_violation_fails_the_program_and_registers_nothing()
    {
        // GIVEN prod asking for one SFU where the capacity model needs three
        var e = await Assert.ThrowsAsync<ProgramFailedException>(() => RunAsync("prod", Config("prod", ("sfuReplicas", "1"))));

        Assert.Contains("policy SfuCapacity: matrix-rtc:sfuReplicas:", e.Message);
        Assert.Equal(["pulumi:pulumi:Stack"], e.Registrations.Select(r => r.Type));
    }

    [Fact]
    public async Task A_stack_the_CLI_refuses_never_reaches_the_program()
    {
        // GIVEN dev without its required serverName, and dev with a non-integer where Pulumi.yaml says integer
        var missing = await Assert.ThrowsAsync<CliRefusedException>(() => RunAsync("dev", Config("dev", ("serverName", null))));
        var mistyped = await Assert.ThrowsAsync<CliRefusedException>(() => RunAsync("dev", Config("dev", ("mediaNodeCount", "one"))));

        Assert.Equal("Stack 'dev' is missing configuration value 'matrix-rtc:serverName'", missing.Message);
        Assert.Equal("Stack 'dev' with configuration key 'matrix-rtc:mediaNodeCount' must be of type 'integer'", mistyped.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_rotating_turn_secret_is_taken_from_secret_config_and_sent_only_as_a_secret(bool preview)
    {
        // GIVEN dev with turnSharedSecretPrevious set with --secret (PULUMI_CONFIG_SECRET_KEYS names it)
        const string previous = "OldTurnSecret0123456789abcdefABCDEF";
        var run = await RunAsync("dev", Config("dev", ("turnSharedSecretPrevious", CliConfigValue.Encrypted(previous))), preview);

        // THEN the TURN Secret carries both keys, the old value wrapped as a secret, and nowhere in plain text
        var turn = run.Plan.Topology.Turn;
        var secret = Assert.Single(run.OfType(SecretType), s => s.Metadata == (turn.SharedSecret.Namespace, turn.SharedSecret.Name));
        if (!preview)
        {
            Assert.True(secret.IsSecretAt("stringData", turn.PreviousSecret.Key));
            Assert.Equal(previous, secret.String("stringData", turn.PreviousSecret.Key));
            Assert.NotNull(secret.String("stringData", turn.SharedSecret.Key));
        }
        else
        {
            // The data is one output: with the generated new value unknown, the old one (config, known) is sent unknown too
            Assert.True(secret.IsUnknownAt("stringData", turn.PreviousSecret.Key), "the TURN Secret's data is known in a new stack's preview");
            Assert.True(secret.IsUnknownAt("stringData", turn.SharedSecret.Key), "the generated TURN secret is known in a new stack's preview");
        }
        Assert.All(run.Registrations, r => Assert.DoesNotContain(r.PlainStrings(), s => s.Contains("OldTurnSecret", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_plain_text_secret_config_value_is_refused()
    {
        // GIVEN the previous TURN secret set without --secret (the CLI lets it through: the key is not typed)
        var e = await Assert.ThrowsAsync<ProgramFailedException>(() => RunAsync("dev", Config("dev", ("turnSharedSecretPrevious", "OldTurnSecret0123456789abcdefABCDEF"))));

        Assert.Contains("matrix-rtc:turnSharedSecretPrevious: is given as plain text", e.Message);
        Assert.DoesNotContain("OldTurnSecret", e.Message);
        Assert.Equal(["pulumi:pulumi:Stack"], e.Registrations.Select(r => r.Type));
    }

    /// <summary>The object without the rotation hash annotation on its pod template (added at deploy time, not rendered).</summary>
    private static ManifestObject WithoutRotationHash(ManifestObject o)
    {
        var text = new StringWriter();
        new YamlStream(new YamlDocument(o.Node)).Save(text, assignAnchors: false);
        var copy = RunQueries.Parse(text.ToString()).Single();
        var template = Child(Child(copy.Node, "spec"), "template");
        if (Child(template, "metadata").Children.TryGetValue(new YamlScalarNode("annotations"), out var a) && a is YamlMappingNode annotations &&
            annotations.Children.ContainsKey(new YamlScalarNode(SecretHashes.Annotation)))
        {
            Assert.Matches("^[0-9a-f]{64}$", Scalar(annotations, SecretHashes.Annotation));
            annotations.Children.Remove(new YamlScalarNode(SecretHashes.Annotation));
            if (annotations.Children.Count == 0)
            {
                Child(template, "metadata").Children.Remove(new YamlScalarNode("annotations"));
            }
        }
        return copy;
    }

    private static YamlMappingNode Values(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }
}
