using Infra.Plan.Secrets;

namespace Infra.Plan.Components.Livekit;

/// <summary>
/// The plan's way of naming a wired Secret key (<see cref="SecretRef"/>), which the contract assembly the post-renderer
/// compiles does not know.
/// </summary>
public static class SecretWiringRefs
{
    extension(SecretWiring)
    {
        public static SecretEnv EnvFrom(string name, SecretRef secret) => new(name, secret.Name, secret.Key);
    }
}
