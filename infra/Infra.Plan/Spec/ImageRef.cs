using System.Text.RegularExpressions;

namespace Infra.Plan.Spec;

/// <summary>A container image: repository, tag and an optional sha256 digest.</summary>
public sealed partial record ImageRef(string Repository, string Tag, string? Digest)
{
    public bool IsPinnedByDigest => Digest is not null;

    /// <summary>The reference a pod uses: by digest when there is one (the tag is kept for readers).</summary>
    public string Reference => Digest is null ? $"{Repository}:{Tag}" : $"{Repository}:{Tag}@{Digest}";

    public override string ToString() => Reference;

    public static bool TryParse(string text, out ImageRef image)
    {
        image = null!;
        var m = ImagePattern().Match(text.Trim());
        if (!m.Success)
        {
            return false;
        }
        image = new ImageRef(m.Groups["repo"].Value, m.Groups["tag"].Value,
            m.Groups["digest"].Success ? m.Groups["digest"].Value : null);
        return true;
    }

    public static bool IsValidRepository(string text) => RepositoryPattern().IsMatch(text);

    public static bool IsValidTag(string text) => TagPattern().IsMatch(text);

    public static bool IsValidDigest(string text) => DigestPattern().IsMatch(text);

    [GeneratedRegex(@"^(?<repo>[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*):(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})(@(?<digest>sha256:[a-f0-9]{64}))?$")]
    private static partial Regex ImagePattern();

    [GeneratedRegex(@"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^sha256:[a-f0-9]{64}$")]
    private static partial Regex DigestPattern();
}
