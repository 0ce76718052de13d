using Infra.Plan.Components;

namespace Infra.Plan.Tests.Network;

/// <summary>The namespaces planned alone, from their own input record: no stack file, no parsed environment.</summary>
public sealed class NamespacesInputTests
{
    [Fact]
    public void Builds_the_two_namespaces_from_their_names_alone()
    {
        // GIVEN only the two namespace names, the media on the host network
        var input = new NamespacesInput(Namespace: "rtc-x", MediaNamespace: "media-x", HostNetwork: true);

        // WHEN the namespaces are planned from them
        var plan = NamespacesPlan.Build(input);

        // THEN the app namespace runs restricted, the media one privileged (its pods use the host network), in every mode
        Assert.Equal(("v1", "Namespace", "rtc-x", null), (plan.App.ApiVersion, plan.App.Kind, plan.App.Metadata.Name, plan.App.Metadata.NamespaceProperty));
        Assert.Equal("media-x", plan.Media.Metadata.Name);
        foreach (var mode in new[] { "enforce", "warn", "audit" })
        {
            Assert.Equal("restricted", plan.App.Metadata.Labels[$"pod-security.kubernetes.io/{mode}"]);
            Assert.Equal("privileged", plan.Media.Metadata.Labels[$"pod-security.kubernetes.io/{mode}"]);
        }
        Assert.Equal("latest", plan.Media.Metadata.Labels["pod-security.kubernetes.io/enforce-version"]);
        Assert.Equal(["rtc-x", "media-x"], plan.Contract.Objects.Select(o => ((k8s.Models.V1Namespace)o).Metadata.Name));

        // AND off the host network the media namespace runs restricted too
        var pods = NamespacesPlan.Build(input with { HostNetwork = false });
        Assert.All(new[] { "enforce", "warn", "audit" }, mode => Assert.Equal("restricted", pods.Media.Metadata.Labels[$"pod-security.kubernetes.io/{mode}"]));
    }
}
