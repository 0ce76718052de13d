using Infra.Plan;
using Infra.Plan.Spec;
using Pulumi;

namespace Infra.Stacks;

/// <summary>
/// One environment: config → <see cref="EnvironmentSpec"/> (the same parser render uses) → plan → components.
/// A config mistake stops the program before any resource is registered, with one line per mistake.
/// </summary>
public sealed class MatrixRtcStack : Stack
{
    public MatrixRtcStack()
    {
        var result = SpecParser.Parse(Deployment.Instance.StackName, PulumiConfigSource.Read());
        if (!result.Ok)
        {
            throw new RunException(ConfigException.Format(result.Errors));
        }
        var plan = Planner.Build(result.Spec!);

        Tier = Output.Create(plan.Sizing.Preset.Name);
        CapacitySummary = Output.Create(
            $"{plan.Sizing.Load.Calls} calls × {plan.Sizing.Load.ParticipantsPerCall}: {plan.Sizing.SfuReplicas} SFU(s), " +
            $"{plan.Sizing.Estimate.SfuCpuCores:0.0} cores needed, headroom {plan.Sizing.Headroom:P0}");
    }

    [Output("tier")]
    public Output<string> Tier { get; private set; }

    [Output("capacitySummary")]
    public Output<string> CapacitySummary { get; private set; }
}
