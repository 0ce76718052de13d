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
    /// <para>
    /// The address coturn advertises for its relays (XOR-RELAYED-ADDRESS) is, in this order: the node's pair in
    /// <c>turnExternalIps</c>; with discovery on, the Node's <c>ExternalIP</c> of the host address's family (read
    /// from the Kubernetes API: the downward API does not expose it); else the host address itself. A private
    /// address (<see cref="Net.PrivateAddresses"/>) is never advertised: the script stops, so the pod does not
    /// start and its log says which key to set, instead of coturn handing out relay addresses nobody can reach.
    /// An API error stops it too (the kubelet retries the init container with back-off).
    /// </para>
    /// <para>
    /// The API call uses what the official Debian-based image has: <c>/bin/sh</c> (dash), coreutils
    /// (<c>timeout</c>, <c>tr</c>), sed and <c>openssl</c> (ca-certificates depends on it); it has no curl or wget
    /// (coturn/coturn <c>docker/coturn/debian/Dockerfile</c>). <c>openssl s_client</c> verifies the API server against
    /// the cluster CA and the service address, and the request is HTTP/1.0 so the answer is never chunked. The
    /// token is read and sent with builtins only. The Node JSON is compact with <c>status.addresses</c> entries as
    /// <c>{"type":"...","address":"..."}</c> (k8s.io/api core/v1 <c>NodeAddress</c> field order); splitting at braces
    /// puts each on its own line, and a quoted copy inside an annotation is escaped (<c>\"type\"</c>) and never matches.
    /// </para>
    /// Every path, the API address (<c>KUBERNETES_SERVICE_HOST</c>/<c>_PORT</c>, which the kubelet always sets) and the
    /// node name come from the environment, so the tests run this very script against a fake API.
    /// </summary>
    public static string Init() =>
        $$"""
        #!/bin/sh
        # Writes the final turnserver.conf: template + static-auth-secret(s) + this node's addresses.
        set -eu
        umask 077
        template_dir="${TEMPLATE_DIR:-{{CoturnPaths.TemplateDir}}}"
        secret_dir="${SECRET_DIR:-{{CoturnPaths.SecretDir}}}"
        run_dir="${RUN_DIR:-{{CoturnPaths.RunDir}}}"
        token_file="${KUBE_TOKEN_FILE:-{{CoturnPaths.KubeTokenFile}}}"
        ca_file="${KUBE_CA_FILE:-{{CoturnPaths.KubeCaFile}}}"
        discovery="${EXTERNAL_IP_DISCOVERY:-off}"
        : "${HOST_IP:?HOST_IP must be set (the pod's status.hostIP)}"
        out="$run_dir/turnserver.conf"
        tmp="$out.tmp"

        fail() {
          echo "coturn init: $*" >&2
          rm -f "$tmp" "$run_dir/node.json" "$run_dir/api.err"
          exit 1
        }

        # Four decimal octets, or hex groups with colons (an IPv4 tail allowed): nothing else ever reaches the config.
        valid_ip() {
          case "$1" in
            *:*) case "$1" in *[!0-9A-Fa-f:.]*|*:::*) return 1 ;; esac; return 0 ;;
            ''|*[!0-9.]*|.*|*.|*..*) return 1 ;;
          esac
          old_ifs="$IFS"; IFS=.
          set -- $1
          IFS="$old_ifs"
          [ $# -eq 4 ] || return 1
          for octet in "$@"; do
            case "$octet" in 0?*) return 1 ;; ?|??|???) ;; *) return 1 ;; esac
            [ "$octet" -le 255 ] || return 1
          done
        }

        # Unreachable from the internet (Infra.Plan.Net.PrivateAddresses): RFC 1918, CGNAT, loopback,
        # link-local, "this network"; ::, ::1, IPv4-mapped, unique local, link-local. Needs a valid_ip address.
        is_private() {
          case "$1" in
            *:*)
              case "$1" in
                ::|::1|::[fF][fF][fF][fF]:*) return 0 ;;
                [fF][cCdD][0-9A-Fa-f][0-9A-Fa-f]:*|[fF][eE][89aAbB][0-9A-Fa-f]:*) return 0 ;;
              esac
              return 1 ;;
          esac
          old_ifs="$IFS"; IFS=.
          set -- $1
          IFS="$old_ifs"
          case "$1" in 0|10|127) return 0 ;; esac
          if [ "$1" -eq 169 ] && [ "$2" -eq 254 ]; then return 0; fi
          if [ "$1" -eq 172 ] && [ "$2" -ge 16 ] && [ "$2" -le 31 ]; then return 0; fi
          if [ "$1" -eq 192 ] && [ "$2" -eq 168 ]; then return 0; fi
          if [ "$1" -eq 100 ] && [ "$2" -ge 64 ] && [ "$2" -le 127 ]; then return 0; fi
          return 1
        }

        family() { case "$1" in *:*) echo 6 ;; *) echo 4 ;; esac; }

        # The public address {{TurnSection.ExternalIps.FullName}} gives this node, if any.
        mapped_address() {
          while read -r private mapped || [ -n "${private:-}" ]; do
            case "$private" in ''|'#'*) continue ;; esac
            if [ "$private" = "$HOST_IP" ]; then echo "$mapped"; return 0; fi
          done < "$template_dir/external-ips"
        }

        # Every ExternalIP of this node, one per line, from GET /api/v1/nodes/$NODE_NAME.
        node_external_ips() {
          : "${NODE_NAME:?NODE_NAME must be set (the pod's spec.nodeName)}"
          : "${KUBERNETES_SERVICE_HOST:?KUBERNETES_SERVICE_HOST must be set (the kubelet sets it in every pod)}"
          api_port="${KUBERNETES_SERVICE_PORT:-443}"
          case "$NODE_NAME" in *[!a-z0-9.-]*|'') fail "NODE_NAME '$NODE_NAME' is not a node name" ;; esac
          command -v openssl >/dev/null 2>&1 || fail "this image has no openssl command to ask the Kubernetes API for the node's ExternalIP: use the Debian-based coturn image, or set {{TurnSection.ExternalIpDiscovery.FullName}}: false and map the node in {{TurnSection.ExternalIps.FullName}}"
          [ -r "$token_file" ] || fail "no service-account token at $token_file (the projected volume of the coturn ServiceAccount)"
          [ -r "$ca_file" ] || fail "no cluster CA at $ca_file"
          token=""
          IFS= read -r token < "$token_file" || [ -n "$token" ]
          case "$KUBERNETES_SERVICE_HOST" in
            *:*) connect="[$KUBERNETES_SERVICE_HOST]:$api_port"; verify="-verify_ip" ;;
            *[!0-9.]*) connect="$KUBERNETES_SERVICE_HOST:$api_port"; verify="-verify_hostname" ;;
            *) connect="$KUBERNETES_SERVICE_HOST:$api_port"; verify="-verify_ip" ;;
          esac
          if ! {
            printf 'GET /api/v1/nodes/%s HTTP/1.0\r\n' "$NODE_NAME"
            printf 'Host: %s\r\n' "$connect"
            printf 'Authorization: Bearer %s\r\n' "$token"
            printf 'Accept: application/json\r\n\r\n'
          } | timeout 20 openssl s_client -quiet -connect "$connect" -CAfile "$ca_file" -verify_return_error \
                "$verify" "$KUBERNETES_SERVICE_HOST" > "$run_dir/node.json" 2> "$run_dir/api.err"; then
            fail "could not read node $NODE_NAME from https://$connect: $(grep -v -e '^depth=' -e '^verify return:' "$run_dir/api.err" | tail -n 1)"
          fi
          status="$(sed -n '1s/^HTTP\/1\.[01] \([0-9][0-9][0-9]\).*$/\1/p' "$run_dir/node.json")"
          case "$status" in
            200) ;;
            401) fail "the Kubernetes API refused the service-account token (401)" ;;
            403) fail "the coturn ServiceAccount may not get nodes (403): check the ClusterRole and ClusterRoleBinding of the coturn manifest" ;;
            404) fail "node $NODE_NAME not found (404)" ;;
            '') fail "no HTTP answer from https://$connect" ;;
            *) fail "the Kubernetes API answered $status for node $NODE_NAME" ;;
          esac
          tr -d '\r\n' < "$run_dir/node.json" | tr '{}' '\n\n' \
            | sed -n 's/^"type": *"ExternalIP", *"address": *"\([^"]*\)".*$/\1/p'
          rm -f "$run_dir/node.json" "$run_dir/api.err"
        }

        valid_ip "$HOST_IP" || fail "HOST_IP '$HOST_IP' is not an IP address"
        public="$(mapped_address)"
        source="{{TurnSection.ExternalIps.FullName}}"
        if [ -z "$public" ] && [ "$discovery" = "node-api" ]; then
          # Not "for ... in $(node_external_ips)": a failure inside a command substitution would not stop the script.
          node_external_ips > "$run_dir/external-ips.found"
          while read -r candidate; do
            if valid_ip "$candidate" && [ "$(family "$candidate")" = "$(family "$HOST_IP")" ]; then
              public="$candidate"
              break
            fi
          done < "$run_dir/external-ips.found"
          rm -f "$run_dir/external-ips.found"
          source="the ExternalIP of node $NODE_NAME"
          if [ -n "$public" ] && is_private "$public"; then
            fail "$source is $public, a private address: clients on the internet cannot reach it. Map the node in {{TurnSection.ExternalIps.FullName}} ($HOST_IP=<public address>)"
          fi
        fi
        if [ -z "$public" ]; then
          if is_private "$HOST_IP"; then
            if [ "$discovery" = "node-api" ]; then
              fail "node $NODE_NAME has no ExternalIP and its address $HOST_IP is private: coturn would hand clients relay addresses they cannot reach. Map it in {{TurnSection.ExternalIps.FullName}} ($HOST_IP=<public address>), or give the node an ExternalIP"
            fi
            fail "node address $HOST_IP is private and {{TurnSection.ExternalIps.FullName}} does not map it ({{TurnSection.ExternalIpDiscovery.FullName}} is false): coturn would hand clients relay addresses they cannot reach"
          fi
          # A public host address: relays are advertised as they are bound, no external-ip needed.
          public="$HOST_IP"
          source="the node's own address"
        fi
        valid_ip "$public" || fail "$source gives '$public', not an IP address"
        [ "$(family "$public")" = "$(family "$HOST_IP")" ] || fail "$source gives $public for $HOST_IP: both must be of one address family"

        cp "$template_dir/turnserver.conf" "$tmp"
        {
          printf '\n# Added at pod start by the init container.\n'
          # Listen and relay on the node's own address only: on the host network every CNI interface is
          # visible too, and coturn would otherwise advertise pod-network addresses as relay candidates.
          printf 'listening-ip=%s\n' "$HOST_IP"
          printf 'relay-ip=%s\n' "$HOST_IP"
          if [ "$public" != "$HOST_IP" ]; then
            # 1:1 NAT: advertise the public address for relays bound on the private one.
            printf 'external-ip=%s/%s\n' "$public" "$HOST_IP"
          fi
          found=0
          for name in secret previous; do
            if [ -s "$secret_dir/$name" ]; then
              value=""
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
        echo "turnserver.conf written for node $HOST_IP ($found shared secret(s)); relays advertised as $public ($source)"

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
