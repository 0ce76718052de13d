using Infra.Plan.Components;
using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;
using Infra.Plan.Spec;
using Infra.Plan.Tests.Support;
using Xunit;

namespace Infra.Plan.Tests.Standalone;

/// <summary>
/// A component used alone (<see cref="ComponentPlanner"/>) plans exactly what the stack plans for it, given the stack's
/// values of the inputs its Args take: so its input list misses no key it depends on, and the stand-ins for keys it
/// does not take never reach its objects.
/// </summary>
public class StandaloneComponentTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var stack in new[] { "dev", "prod", "nodeport", "loadbalancer" })
        {
            var deployed = Stacks.Plan(stack).Components.Select(c => c.PulumiType).ToHashSet();
            foreach (var c in ComponentCatalog.All.Where(c => deployed.Contains(c.Token)))
            {
                data.Add(stack, c.TypeName);
            }
        }
        return data;
    }

    /// <summary>Everything a contract registers, as text: objects, files, releases with values, generated values, Secrets.</summary>
    internal static string Registered(ComponentPlan c) => string.Join("\n---\n",
        ManifestWriter.Write(c.Objects),
        string.Join("\n", c.Files.Select(f => $"{f.Path}\n{f.Content}")),
        string.Join("\n", c.Releases.Select(r => $"{r.Name} {r.Namespace} {r.Chart} {r.Version} {r.PostRenderer} {r.Wait} {r.Atomic} {r.MaxHistory}\n{r.Values.Content}")),
        string.Join("\n", c.Generated.Select(g => g.ToString())),
        string.Join("\n", c.Secrets.Select(s => $"{s.Namespace}/{s.Name} {s.Type} " +
            string.Join(", ", s.Entries.Select(e => $"{e.Key}={e.Source.Describe()}")) + " read by " + string.Join(", ", s.ConsumedBy))));

    /// <summary>The stack's values of the component's inputs, and for a component that reaches Redis as an existing one, the stack's own Redis as such.</summary>
    internal static Dictionary<string, ConfigValue> ArgsFromStack(ComponentDefinition c, string stack)
    {
        var inputs = c.Inputs.Select(k => k.Name).ToHashSet();
        var args = Stacks.File(stack)
            .Where(kv => kv.Key.StartsWith("matrix-rtc:", StringComparison.Ordinal) && inputs.Contains(kv.Key["matrix-rtc:".Length..]))
            .ToDictionary(kv => kv.Key["matrix-rtc:".Length..], kv => kv.Value);
        if (c.FixedKeys.GetValueOrDefault("redisMode") == "existing")
        {
            // The stack's own Redis, as its RedisSentinel outputs name it.
            var redis = ComponentPlanner.Plan(ComponentCatalog.RedisSentinel, stack, ArgsFromStack(ComponentCatalog.RedisSentinel, stack)).Outputs;
            args["existingSentinelMasterName"] = new ConfigValue.Scalar((string)redis["masterName"]);
            args["existingSentinelAddresses"] = new ConfigValue.Sequence(((string[])redis["sentinelAddresses"]).Select(a => (ConfigValue)new ConfigValue.Scalar(a)).ToList());
            args["existingRedisPasswordSecret"] = new ConfigValue.Scalar((string)redis["passwordSecret"]);
            args["existingSentinelPasswordSecret"] = new ConfigValue.Scalar((string)redis["sentinelPasswordSecret"]);
            args["existingRedisCaSecret"] = new ConfigValue.Scalar((string)redis["caSecret"]);
        }
        return args;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_component_alone_plans_what_the_stack_plans_for_it(string stack, string typeName)
    {
        // GIVEN the component's inputs set as the stack sets them
        var definition = ComponentCatalog.Find(typeName)!;
        var environment = Stacks.Plan(stack).Components.Single(c => c.PulumiType == definition.Token);

        // WHEN it is planned alone
        var alone = ComponentPlanner.Plan(definition, stack, ArgsFromStack(definition, stack));

        // THEN it registers the same objects, files, releases, values and Secrets
        Assert.Equal(Registered(environment), Registered(alone.Contract));
        Assert.Equal(environment.PulumiType, alone.Contract.PulumiType);
    }
}
