using Infra.Plan.Sizing;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Turn;

/// <summary>
/// The relay allocation limits coturn gets, computed once: the stack's <c>turnUserQuota</c>/<c>turnTotalQuota</c>
/// where set (non-zero), else the tier's. coturn reads a quota of 0 as "unlimited", so these are always at least 1.
/// </summary>
/// <param name="TotalSetBy">The key that set the total quota, or null when it is the tier's.</param>
public sealed record TurnQuotas(int User, int Total, ConfigKey? TotalSetBy, string Tier)
{
    public static TurnQuotas For(TurnSpec turn, TierPreset preset) => new(
        turn.UserQuota > 0 ? turn.UserQuota : preset.TurnUserQuota,
        turn.TotalQuota > 0 ? turn.TotalQuota : preset.TurnTotalQuota,
        turn.TotalQuota > 0 ? TurnSection.TotalQuota : null,
        preset.Name);

    /// <summary>Where the total quota comes from, for messages.</summary>
    public string TotalSource => TotalSetBy?.FullName ?? $"tier {Tier}";
}
