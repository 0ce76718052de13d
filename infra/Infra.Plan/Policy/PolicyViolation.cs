namespace Infra.Plan.Policy;

/// <summary>Which policy a violation breaks; stable names so tests and reviewers can grep for them.</summary>
public enum PolicyRule
{
    ImagePinnedByDigest,
    TlsInProduction,
    SfuCapacity,
}

/// <summary>
/// One broken policy: which rule, which object (kind/namespace/name, container or file path) and what to do.
/// The message never quotes a value that may be secret.
/// </summary>
public sealed record PolicyViolation(PolicyRule Rule, string Subject, string Message)
{
    public override string ToString() => $"policy {Rule}: {Subject}: {Message}";
}

/// <summary>
/// Thrown when a plan breaks policy. Front ends print <see cref="Violations"/> one per line, without a stack
/// trace: render exits 2, the Pulumi program fails preview.
/// </summary>
public sealed class PolicyException(IReadOnlyList<PolicyViolation> violations) : Exception(Format(violations))
{
    public IReadOnlyList<PolicyViolation> Violations { get; } = violations;

    public static string Format(IReadOnlyList<PolicyViolation> violations) =>
        $"{violations.Count} policy violation(s):" + Environment.NewLine +
        string.Join(Environment.NewLine, violations.Select(v => "  " + v));
}
