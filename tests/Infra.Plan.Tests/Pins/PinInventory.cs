using System.Text.RegularExpressions;
using System.Xml.Linq;
using Infra.Plan.Spec;
using Infra.Plan.Tests.Image;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Pins;

/// <summary>
/// One pinned version: where it is written (a path from the repository root, or a folder ending in '/'), the datasource Renovate looks it up in,
/// the name there, the version and, where it is pinned by one, the digest (image digest or commit).
/// </summary>
public sealed record Pin(string File, string Kind, string Datasource, string Name, string Value, string? Digest = null,
    string? RegistryUrl = null)
{
    public override string ToString() =>
        $"{Kind} {Name} {Value}{(Digest is null ? "" : "@" + Digest)} ({Datasource}{(RegistryUrl is null ? "" : " " + RegistryUrl)}) in {File}";
}

/// <summary>
/// Every pin of the repository, read from where it is written, independently of Renovate's config: defaults in code
/// (the config keys whose default is an image, and the charts the plan installs), the stack files (the values of those
/// image keys), the media-relay Dockerfile (its bases and LiveKit release), the workflows' actions, the NuGet packages
/// and the npm tools scripts/test.sh installs. A new pin in one of these places joins the list by itself.
/// </summary>
public static partial class PinInventory
{
    public const string DockerfilePath = "images/media-relay/Dockerfile";
    public const string PackagesPath = "Directory.Packages.props";
    public const string TestScriptPath = "scripts/test.sh";
    public const string WorkflowsPath = ".github/workflows";

    public static IReadOnlyList<Pin> All(string root) =>
        [.. CodeImages(), .. Charts(), .. StackImages(root), .. DockerfilePins(root), .. Actions(root), .. NuGet(root), .. Npm(root)];

    /// <summary>The config keys whose default is an image reference (redisImage, coturnImage, ...).</summary>
    public static IReadOnlyList<(ConfigKey Key, ImageRef Image)> ImageKeys() =>
        ConfigSchema.AllKeys
            .Select(k => (Key: k, Ok: k.Default is string s && ImageRef.TryParse(s, out _), Text: k.Default as string))
            .Where(k => k.Ok)
            .Select(k => { ImageRef.TryParse(k.Text!, out var image); return (k.Key, image); })
            .ToList();

    public const string CodePath = "infra/";

    /// <summary>Image defaults in code (somewhere under infra/).</summary>
    public static IEnumerable<Pin> CodeImages() =>
        ImageKeys().Select(k => new Pin(CodePath, "code image " + k.Key.Name, "docker",
            k.Image.Repository, k.Image.Tag, k.Image.Digest));

    /// <summary>The charts the plan installs with their default versions (a plan with every optional release on).</summary>
    public static IEnumerable<Pin> Charts()
    {
        var plan = Planner.Build(Stacks.Parse(Stacks.With(("egress", Stacks.S("true")), ("egressStorage", Stacks.S("none")))).OrThrow());
        HelmReleasePlan[] releases = [plan.Livekit.Release, .. plan.Egress is { } e ? [e.Release] : Array.Empty<HelmReleasePlan>()];
        return releases.Select(r => new Pin(CodePath, "chart " + r.Name, "helm", r.Chart, r.Version,
            RegistryUrl: r.Repository));
    }

    /// <summary>The values of the image keys in every stack file.</summary>
    public static IEnumerable<Pin> StackImages(string root)
    {
        var keys = ImageKeys().Select(k => k.Key.FullName).ToHashSet(StringComparer.Ordinal);
        foreach (var path in Directory.GetFiles(root, "Pulumi.*.yaml").Order(StringComparer.Ordinal))
        {
            foreach (var (key, value) in StackFile.ReadConfig(path))
            {
                if (keys.Contains(key) && value is ConfigValue.Scalar s && ImageRef.TryParse(s.Text, out var image))
                {
                    yield return new Pin(Path.GetFileName(path), "stack image " + key, "docker", image.Repository, image.Tag, image.Digest);
                }
            }
        }
    }

    /// <summary>
    /// The Dockerfile's ARG defaults: each base as <c>&lt;X&gt;_IMAGE_NAME</c> + <c>&lt;X&gt;_IMAGE_DIGEST</c>, and the LiveKit
    /// release (<c>LIVEKIT_VERSION</c>, a tag of <c>LIVEKIT_REPOSITORY</c>) with the commit it points at.
    /// </summary>
    public static IEnumerable<Pin> DockerfilePins(string root)
    {
        var args = File.ReadAllLines(Path.Combine(root, DockerfilePath))
            .Select(l => ArgLine().Match(l))
            .Where(m => m.Success)
            .GroupBy(m => m.Groups["name"].Value)
            .ToDictionary(g => g.Key, g => g.First().Groups["value"].Value.Trim('"'));
        foreach (var (name, value) in args.Where(a => a.Key.EndsWith("_IMAGE_NAME", StringComparison.Ordinal)))
        {
            var digest = args.GetValueOrDefault(name.Replace("_IMAGE_NAME", "_IMAGE_DIGEST", StringComparison.Ordinal));
            var colon = value.LastIndexOf(':');
            yield return new Pin(DockerfilePath, "Dockerfile base " + name, "docker", value[..colon], value[(colon + 1)..], digest);
        }
        var repository = new Uri(args["LIVEKIT_REPOSITORY"]).AbsolutePath.Trim('/');
        yield return new Pin(DockerfilePath, "Dockerfile LIVEKIT_VERSION", "github-tags", repository, args["LIVEKIT_VERSION"],
            args["LIVEKIT_COMMIT"]);
    }

    /// <summary>Every <c>uses:</c> of every workflow: the action, the release named in the line's comment and the commit.</summary>
    public static IEnumerable<Pin> Actions(string root)
    {
        foreach (var path in Directory.GetFiles(Path.Combine(root, WorkflowsPath), "*.yml").Order(StringComparer.Ordinal))
        {
            var file = $"{WorkflowsPath}/{Path.GetFileName(path)}";
            var lines = File.ReadAllLines(path);
            var workflow = Workflow.Load(path);
            foreach (var uses in workflow.Jobs.SelectMany(j => j.Steps).Select(s => s.Uses).OfType<string>().Where(u => !u.StartsWith("./", StringComparison.Ordinal)))
            {
                var line = lines.First(l => l.Contains("uses: " + uses, StringComparison.Ordinal));
                var comment = line.Contains(" # ", StringComparison.Ordinal) ? line[(line.IndexOf(" # ", StringComparison.Ordinal) + 3)..].Trim() : "";
                var (action, reference) = (uses[..uses.IndexOf('@')], uses[(uses.IndexOf('@') + 1)..]);
                yield return new Pin(file, "action", "github-tags", action, comment, reference);
            }
        }
    }

    /// <summary>The central package versions.</summary>
    public static IEnumerable<Pin> NuGet(string root) =>
        XDocument.Load(Path.Combine(root, PackagesPath)).Descendants("PackageVersion")
            .Select(p => new Pin(PackagesPath, "NuGet package", "nuget", (string)p.Attribute("Include")!, (string)p.Attribute("Version")!));

    /// <summary>The npm packages scripts/test.sh installs: every word of the script written <c>name@version</c>.</summary>
    public static IEnumerable<Pin> Npm(string root) =>
        Words().Split(File.ReadAllText(Path.Combine(root, TestScriptPath)))
            .Select(w => NpmSpec().Match(w))
            .Where(m => m.Success)
            .Select(m => new Pin(TestScriptPath, "npm tool", "npm", m.Groups["name"].Value, m.Groups["version"].Value))
            .Distinct();

    [GeneratedRegex(@"^ARG (?<name>[A-Z0-9_]+)=(?<value>\S*)\s*$")]
    private static partial Regex ArgLine();

    [GeneratedRegex(@"[\s=""';]+")]
    private static partial Regex Words();

    [GeneratedRegex(@"^(?<name>@?[a-z0-9][a-z0-9._-]*(/[a-z0-9._-]+)?)@(?<version>\d+\.\d+\.\d+[0-9A-Za-z.+-]*)$")]
    private static partial Regex NpmSpec();
}
