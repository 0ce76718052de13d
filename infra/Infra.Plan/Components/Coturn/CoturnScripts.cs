using System.Text;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Coturn;

/// <summary>
/// The two small POSIX sh scripts the coturn pod runs (from the coturn image itself, so no extra image):
/// the init container that writes the final config, and the sidecar that reloads the certificate.
/// Directories default to <see cref="CoturnPaths"/> and can be overridden by environment (tests run them
/// for real in a temp directory).
/// </summary>
public static class CoturnScripts
{
    /// <summary>
    /// Appends the secret(s) and this node's addresses to the template. The secret is read with the shell's
    /// <c>read</c> and written with <c>printf</c>, both builtins: it never appears on a command line (visible
    /// in <c>ps</c>) or in the log. The result goes to a memory-backed emptyDir with mode 0600.
    /// </summary>
    public static string Init() =>
        """
        #!/bin/sh
        # Writes the final turnserver.conf: template + static-auth-secret(s) + this node's addresses.
        set -eu
        umask 077
        template_dir="${TEMPLATE_DIR:-/etc/coturn/template}"
        secret_dir="${SECRET_DIR:-/etc/coturn/secret}"
        run_dir="${RUN_DIR:-/run/coturn}"
        : "${HOST_IP:?HOST_IP must be set (the pod's status.hostIP)}"
        out="$run_dir/turnserver.conf"
        tmp="$out.tmp"
        cp "$template_dir/turnserver.conf" "$tmp"
        {
          printf '\n# Added at pod start by the init container.\n'
          # Listen and relay on the node's own address only: on the host network every CNI interface is
          # visible too, and coturn would otherwise advertise pod-network addresses as relay candidates.
          printf 'listening-ip=%s\n' "$HOST_IP"
          printf 'relay-ip=%s\n' "$HOST_IP"
          public=""
          while read -r private mapped || [ -n "${private:-}" ]; do
            case "$private" in ''|'#'*) continue ;; esac
            if [ "$private" = "$HOST_IP" ]; then public="$mapped"; fi
          done < "$template_dir/external-ips"
          if [ -n "$public" ]; then
            # 1:1 NAT: advertise the public address for relays bound on the private one.
            printf 'external-ip=%s/%s\n' "$public" "$HOST_IP"
          fi
          found=0
          for name in secret previous; do
            if [ -s "$secret_dir/$name" ]; then
              IFS= read -r value < "$secret_dir/$name" || [ -n "$value" ]
              printf 'static-auth-secret=%s\n' "$value"
              found=$((found + 1))
            fi
          done
          if [ "$found" -eq 0 ]; then
            echo "no TURN shared secret in $secret_dir (key 'secret')" >&2
            exit 1
          fi
        } >> "$tmp"
        mv "$tmp" "$out"
        echo "turnserver.conf written for node $HOST_IP ($found shared secret(s)${public:+, external $public})"

        """;

    /// <summary>
    /// Watches the mounted certificate and sends SIGUSR2 to turnserver when it changes: coturn re-reads
    /// <c>cert</c>/<c>pkey</c> on SIGUSR2 without dropping allocations, so a renewed certificate
    /// (cert-manager, or a replaced Secret) takes effect without restarting calls. The kubelet updates a
    /// Secret volume atomically within about a minute; polling every 60 s adds at most another.
    /// </summary>
    public static string ReloadOnCertChange() =>
        """
        #!/bin/sh
        # Sends SIGUSR2 to turnserver when the TLS certificate changes (coturn then re-reads cert and pkey).
        set -u
        cert="${TLS_DIR:-/etc/coturn/tls}/tls.crt"
        pidfile="${PID_FILE:-/run/coturn-pid/turnserver.pid}"
        interval="${RELOAD_INTERVAL_SECONDS:-60}"
        last="$(cksum < "$cert" 2>/dev/null || true)"
        echo "watching $cert every ${interval}s"
        while :; do
          sleep "$interval"
          now="$(cksum < "$cert" 2>/dev/null || true)"
          if [ -n "$now" ] && [ "$now" != "$last" ] && [ -s "$pidfile" ]; then
            read -r pid < "$pidfile"
            if kill -USR2 "$pid"; then
              echo "certificate changed: sent SIGUSR2 to turnserver (pid $pid)"
              last="$now"
            fi
          fi
        done

        """;

    /// <summary>The NAT map the init script reads: one <c>private public</c> pair per line.</summary>
    public static string ExternalIps(TurnSpec turn)
    {
        var sb = new StringBuilder("# private-address public-address (matrix-rtc:turnExternalIps)\n");
        foreach (var pair in turn.ExternalIps.OrderBy(p => p.Private.ToString(), StringComparer.Ordinal))
        {
            sb.Append(pair.Private).Append(' ').Append(pair.Public).Append('\n');
        }
        return sb.ToString();
    }
}
