using Infra.Plan.Kubernetes;

namespace Infra.Plan.Rendering;

/// <summary>
/// The render layout: <c>manifests/&lt;component&gt;.yaml</c> plus the plan's other files. Everything is
/// in memory first so writing is all-or-nothing and the byte output can be compared in tests.
/// </summary>
public static class RenderOutput
{
    /// <summary>Folders render owns inside the output directory; stale files in them are removed.</summary>
    public static readonly string[] OwnedFolders = ["manifests", "helm", "synapse", "well-known", "report"];

    public static IReadOnlyList<PlanFile> Files(EnvironmentPlan plan)
    {
        var files = plan.Components
            .Select(c => new PlanFile($"manifests/{c.Name}.yaml", ManifestWriter.Write(c.Objects)))
            .Concat(plan.Files)
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToList();
        var duplicate = files.GroupBy(f => f.Path).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"two plan parts write {duplicate.Key}");
        }
        return files;
    }

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
