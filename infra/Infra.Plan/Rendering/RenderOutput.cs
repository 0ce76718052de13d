using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;

namespace Infra.Plan.Rendering;

/// <summary>
/// The render layout: <c>manifests/&lt;component&gt;.yaml</c> plus the plan's other files. Everything is
/// in memory first so writing is all-or-nothing and the byte output can be compared in tests.
/// </summary>
public static class RenderOutput
{
    /// <summary>Folders render owns inside the output directory; stale files in them are removed.</summary>
    public static readonly string[] OwnedFolders = ["manifests", "helm", "synapse", "well-known", "report", "egress"];

    public static IReadOnlyList<PlanFile> Files(EnvironmentPlan plan)
    {
        var files = plan.Components
            .Where(c => c.Objects.Count > 0 || c.Secrets.Any(s => s.ShellAnnotations is not null))
            .Select(c => new PlanFile($"manifests/{c.Name}.yaml", Manifest(c)))
            .Concat(plan.Files)
            .Append(SecretsReport.Build(plan))
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToList();
        var duplicate = files.GroupBy(f => f.Path).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"two plan parts write {duplicate.Key}");
        }
        return files;
    }

    /// <summary>
    /// A component's manifest: its objects, then the data-less shells of the Secrets it hands over to a namespace
    /// this project does not own (the only Secrets render shows: the others live where Pulumi puts them).
    /// </summary>
    public static string Manifest(ComponentPlan component) =>
        ManifestWriter.Write(component.Objects.Concat(component.Secrets.Where(s => s.ShellAnnotations is not null).Select(s => s.Shell())));

    public static void Write(IReadOnlyList<PlanFile> files, string outDir)
    {
        foreach (var folder in OwnedFolders)
        {
            var path = Path.Combine(outDir, folder);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        foreach (var file in files)
        {
            var path = Path.Combine(outDir, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, file.Content.Replace("\r\n", "\n"));
        }
    }
}
