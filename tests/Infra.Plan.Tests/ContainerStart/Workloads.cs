using System.Text.Json.Nodes;
using Infra.Plan.Kubernetes;
using Infra.Plan.Tests.Chart;

namespace Infra.Plan.Tests.ContainerStart;

/// <summary>
/// What the pods can mount, by namespace and name: each ConfigMap's data and each Secret's keys (with the text where the
/// plan knows it, e.g. the Egress config with its secret values as placeholders).
/// </summary>
public sealed class Catalog
{
    /// <summary>
    /// Every namespace has it: kube-controller-manager's root CA publisher (kubernetes
    /// <c>pkg/controller/certificates/rootcacertpublisher/publisher.go</c>: ConfigMap <c>kube-root-ca.crt</c>, key <c>ca.crt</c>).
    /// </summary>
    public const string KubeRootCa = "kube-root-ca.crt";

    /// <summary>The keys cert-manager writes into a Certificate's Secret (cert-manager docs "Certificate resources": tls.crt, tls.key, ca.crt).</summary>
    public static readonly string[] CertManagerKeys = ["ca.crt", "tls.crt", "tls.key"];

    private readonly Dictionary<(string Ns, string Name), IReadOnlyDictionary<string, string>> _configMaps = [];
    private readonly Dictionary<(string Ns, string Name), IReadOnlyDictionary<string, string?>> _secrets = [];

    public void AddConfigMap(string ns, string name, IReadOnlyDictionary<string, string> data) => _configMaps[(ns, name)] = data;

    public void AddSecret(string ns, string name, IReadOnlyDictionary<string, string?> keys) => _secrets[(ns, name)] = keys;

    public IReadOnlyDictionary<string, string>? ConfigMap(string ns, string name) =>
        _configMaps.TryGetValue((ns, name), out var data) ? data
        : name == KubeRootCa ? new Dictionary<string, string> { ["ca.crt"] = "" }
        : null;

    public IReadOnlyDictionary<string, string?>? Secret(string ns, string name) => _secrets.TryGetValue((ns, name), out var keys) ? keys : null;

    /// <summary>The plan's objects and Secrets, plus the rendered charts' objects.</summary>
    public static Catalog Of(EnvironmentPlan plan, IEnumerable<JsonObject> objects)
    {
        var catalog = new Catalog();
        foreach (var o in objects)
        {
            var ns = (string?)o.At("metadata.namespace") ?? "";
            if (o.Kind() == "ConfigMap")
            {
                catalog.AddConfigMap(ns, o.Name(), (o["data"]?.AsObject() ?? []).ToDictionary(kv => kv.Key, kv => (string?)kv.Value ?? ""));
            }
            if (o.Kind() == "Certificate" && (string?)o.At("spec.secretName") is { } secretName)
            {
                catalog.AddSecret(ns, secretName, CertManagerKeys.ToDictionary(k => k, _ => (string?)null));
            }
        }
        foreach (var secret in plan.Components.SelectMany(c => c.Secrets))
        {
            catalog.AddSecret(secret.Namespace, secret.Name, secret.Entries.ToDictionary(e => e.Key,
                e => e.Source is SecretSource.YamlTemplate t ? t.PreviewText() : null));
        }
        return catalog;
    }
}

/// <summary>One container of one workload, with its pod, read from the rendered JSON the API server would get.</summary>
public sealed record WorkloadContainer(string Kind, string Namespace, string Workload, JsonObject Pod, JsonObject Container, bool Init)
{
    public string Name => (string)Container["name"]!;

    public string Id => $"{Kind} {Namespace}/{Workload} container {Name}";

    /// <summary>Every container (init containers first) of every Deployment, StatefulSet and DaemonSet in <paramref name="objects"/>.</summary>
    public static IEnumerable<WorkloadContainer> All(IEnumerable<JsonObject> objects) =>
        from o in objects
        where o.Kind() is "Deployment" or "StatefulSet" or "DaemonSet"
        let pod = o.At("spec.template.spec")!.AsObject()
        from entry in (pod["initContainers"]?.AsArray() ?? []).Select(c => (c, true)).Concat((pod["containers"]?.AsArray() ?? []).Select(c => (c, false)))
        select new WorkloadContainer(o.Kind(), (string?)o.At("metadata.namespace") ?? "", o.Name(), pod, entry.Item1!.AsObject(), entry.Item2);

    private static long? Long(JsonNode? node) => node is null ? null : (long)node;

    public long? PodFsGroup => Long(Pod.At("securityContext.fsGroup"));

    public string Image => (string)Container["image"]!;

    public IReadOnlyList<string> Strings(string key) => Container[key]?.AsArray().Select(a => (string)a!).ToList() ?? [];

    /// <summary>The volumes of the pod as this model needs them, the files of each projected kind listed from the catalog.</summary>
    public IReadOnlyDictionary<string, VolumeView> Volumes(Catalog catalog) =>
        (Pod["volumes"]?.AsArray() ?? []).Select(v => Volume(v!.AsObject(), catalog)).ToDictionary(v => v.Name);

    public IReadOnlyList<MountView> Mounts => (Container["volumeMounts"]?.AsArray() ?? []).Select(m => new MountView(
        (string)m!["name"]!, (string)m["mountPath"]!, (string?)m["subPath"], (bool?)m["readOnly"] ?? false)).ToList();

    public ProcessIdentity Identity(ImageFacts image) => StartModel.Identity(
        Long(Container.At("securityContext.runAsUser")), Long(Pod.At("securityContext.runAsUser")),
        Long(Container.At("securityContext.runAsGroup")), Long(Pod.At("securityContext.runAsGroup")),
        PodFsGroup, Pod.At("securityContext.supplementalGroups")?.AsArray().Select(g => (long)g!).ToList() ?? [], image);

    public bool ReadOnlyRoot => (bool?)Container.At("securityContext.readOnlyRootFilesystem") ?? false;

    private VolumeView Volume(JsonObject v, Catalog catalog)
    {
        var name = (string)v["name"]!;
        int? Mode(JsonNode? n) => n is null ? null : (int)(long)n;
        Dictionary<string, int?> Items(JsonNode? items, IEnumerable<string>? keys) =>
            items is JsonArray list
                ? list.ToDictionary(i => (string)i!["path"]!, i => Mode(i!["mode"]))
                : (keys ?? []).ToDictionary(k => k, _ => (int?)null);
        if (v["secret"] is JsonObject secret)
        {
            var keys = catalog.Secret(Namespace, (string)secret["secretName"]!)?.Keys
                ?? throw new InvalidOperationException($"{Id}: volume {name} reads Secret {(string)secret["secretName"]!}, which the plan does not create");
            return new VolumeView(name, VolumeKind.Secret, Mode(secret["defaultMode"]), Items(secret["items"], keys));
        }
        if (v["configMap"] is JsonObject configMap)
        {
            var data = catalog.ConfigMap(Namespace, (string)configMap["name"]!)
                ?? throw new InvalidOperationException($"{Id}: volume {name} reads ConfigMap {(string)configMap["name"]!}, which nothing creates");
            return new VolumeView(name, VolumeKind.ConfigMap, Mode(configMap["defaultMode"]), Items(configMap["items"], data.Keys));
        }
        if (v["projected"] is JsonObject projected)
        {
            var files = new Dictionary<string, int?>();
            foreach (var source in projected["sources"]!.AsArray().Select(s => s!.AsObject()))
            {
                var part = source switch
                {
                    _ when source["serviceAccountToken"] is JsonObject token => new Dictionary<string, int?> { [(string)token["path"]!] = null },
                    _ when source["configMap"] is JsonObject cm => Items(cm["items"], catalog.ConfigMap(Namespace, (string)cm["name"]!)?.Keys),
                    _ when source["secret"] is JsonObject s => Items(s["items"], catalog.Secret(Namespace, (string)s["name"]!)?.Keys),
                    _ when source["downwardAPI"] is JsonObject d => Items(d["items"], null),
                    _ => throw new InvalidOperationException($"{Id}: projected volume {name} has a source the model does not know"),
                };
                foreach (var (k, mode) in part)
                {
                    files[k] = mode;
                }
            }
            return new VolumeView(name, VolumeKind.Projected, Mode(projected["defaultMode"]), files);
        }
        if (v["emptyDir"] is not null)
        {
            return new VolumeView(name, VolumeKind.EmptyDir, null, null);
        }
        return new VolumeView(name, v["persistentVolumeClaim"] is not null || v["ephemeral"] is not null ? VolumeKind.Claim : VolumeKind.Other, null, null);
    }

    /// <summary>An env var's value: a literal, or the text of the ConfigMap or Secret key it refers to (null when unknown).</summary>
    public string? Env(string name, Catalog catalog)
    {
        var env = Container["env"]?.AsArray().Select(e => e!.AsObject()).FirstOrDefault(e => (string)e["name"]! == name);
        if (env is null)
        {
            return null;
        }
        if ((string?)env["value"] is { } value)
        {
            return value;
        }
        if (env.At("valueFrom.configMapKeyRef") is JsonObject cm)
        {
            return catalog.ConfigMap(Namespace, (string)cm["name"]!)?.GetValueOrDefault((string)cm["key"]!);
        }
        if (env.At("valueFrom.secretKeyRef") is JsonObject s)
        {
            return catalog.Secret(Namespace, (string)s["name"]!)?.GetValueOrDefault((string)s["key"]!);
        }
        return null;
    }

    public bool HasEnv(string name) => Container["env"]?.AsArray().Any(e => (string)e!["name"]! == name) ?? false;

    /// <summary>Every command line the kubelet runs in this container: its command + args, exec probes, exec lifecycle hooks.</summary>
    public IEnumerable<IReadOnlyList<string>> CommandLines()
    {
        yield return [.. Strings("command"), .. Strings("args")];
        foreach (var key in new[] { "startupProbe.exec.command", "readinessProbe.exec.command", "livenessProbe.exec.command",
                     "lifecycle.preStop.exec.command", "lifecycle.postStart.exec.command" })
        {
            if (Container.At(key) is JsonArray command)
            {
                yield return command.Select(a => (string)a!).ToList();
            }
        }
    }

    /// <summary>
    /// The objects of a plan, our manifests and the given chart renders together, as JSON. A chart's objects carry no
    /// namespace (helm template leaves it to the install): they get their release's.
    /// </summary>
    public static IReadOnlyList<JsonObject> Objects(EnvironmentPlan plan, IEnumerable<(RenderedChart Chart, string Namespace)> charts) =>
        Manifests.Parse(ManifestWriter.Write(plan.Components.SelectMany(c => c.Objects).ToList()))
            .Concat(charts.SelectMany(c => c.Chart.Objects.Select(o => InNamespace(o, c.Namespace)))).ToList();

    private static JsonObject InNamespace(JsonObject o, string ns)
    {
        var copy = o.DeepClone().AsObject();
        var metadata = copy["metadata"]!.AsObject();
        metadata["namespace"] ??= ns;
        return copy;
    }
}
