using Infra.Plan.Components.Coturn;
using Infra.Plan.Ports;
using Infra.Plan.Spec.Sections;
using Infra.Plan.Turn;

namespace Infra.Plan.Spec;

/// <summary>
/// Rules that involve more than one key. Single-key rules live with their section; this file holds the
/// ones a reader would look for in one place.
/// </summary>
public static class SpecValidation
{
    /// <summary>LiveKit gained <c>rtc.turn_servers[].secret_file</c> in v1.13.0; older servers would need the secret in plain config.</summary>
    public static readonly Version MinimumLivekit = new(1, 13, 0);

    public static IEnumerable<ConfigError> Check(EnvironmentSpec spec)
    {
        var images = spec.Images;
        if (images.LivekitVersion > new Version(0, 0, 0) && images.LivekitVersion < MinimumLivekit)
        {
            yield return ConfigError.Invalid(ImagesSection.LivekitVersion, $"\"v{images.LivekitVersion}\"",
                $"v{MinimumLivekit} or newer (TURN secret_file, so the TURN secret never sits in the LiveKit config)");
        }

        foreach (var error in RedisSection.CheckImage(images.Redis))
        {
            yield return error;
        }

        if (spec.Site.Production)
        {
            if (!images.MediaRelay.IsPinnedByDigest)
            {
                yield return ConfigError.Invalid(ImagesSection.MediaRelayDigest, "\"\"",
                    "a sha256 digest when production is true: a tag can be moved, a digest cannot");
            }
            foreach (var (key, image) in new[]
                     {
                         (ImagesSection.RedisImage, images.Redis),
                         (ImagesSection.CoturnImage, images.Coturn),
                         (ImagesSection.AuthorizerImage, images.Authorizer),
                     })
            {
                if (!image.IsPinnedByDigest)
                {
                    yield return ConfigError.Invalid(key, $"\"{image}\"", "an image pinned by digest (repository:tag@sha256:...) when production is true");
                }
            }
            if (spec.Tls.Mode == TlsMode.SelfSigned)
            {
                yield return ConfigError.Invalid(TlsSection.Mode, "\"self-signed\"",
                    "cert-manager or existing-secret when production is true: browsers and Element X reject self-signed certificates for wss and turns");
            }
        }

        // Host ports of LiveKit and coturn: overlaps, NodePort and ephemeral ranges (Ports/PortPlan.cs).
        foreach (var error in PortPlan.For(spec).Check().Concat(PortPlan.CheckRelayCapacity(spec)))
        {
            yield return error;
        }
        foreach (var error in CoturnVersion.Check(spec).Concat(TurnChecks.Check(spec)))
        {
            yield return error;
        }

        if (spec.Sfu.Replicas is { } replicas && replicas > spec.Nodes.MediaNodeCount)
        {
            yield return ConfigError.Invalid(SfuSection.Replicas, replicas.ToString(),
                $"at most {spec.Nodes.MediaNodeCount} ({NodesSection.MediaNodeCount.FullName}): one SFU per media node, host ports cannot be shared");
        }
    }
}
