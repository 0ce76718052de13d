#!/usr/bin/env bash
# Post-deploy smoke test of one stack: ./scripts/smoke.sh <stack>
# Needs: pulumi (logged in), kubectl (same cluster), curl; optional: openssl, turnutils_uclient (Debian: coturn).
# Prints one line per check, never a secret; exit status 1 if any check failed.
set -uo pipefail
stack="${1:?usage: scripts/smoke.sh <stack>}"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

failed=0
ok()   { printf 'ok    %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failed=1; }
skip() { printf 'skip  %s\n' "$*"; }
out()  { pulumi stack output --stack "$stack" "$@"; }

sfu_url="$(out sfuUrl)" || { echo "cannot read stack outputs of $stack"; exit 1; }
rtc_host="${sfu_url#wss://}"
key()   { grep -E "^\s*matrix-rtc:$1:" "Pulumi.$stack.yaml" | awk '{print $2}'; }
turn_host="$(key turnHost)"
mode="$(key sfuMediaExposure)"; mode="${mode:-hostNetwork}"
ns="$(key namespace)"; ns="${ns:-matrix-rtc}"
media="$(key mediaNamespace)"; media="${media:-matrix-rtc-media}"

# 1. Every pod of both namespaces becomes Ready (an SFU drain can make a rollout slow: allow 10 minutes).
for n in "$ns" "$media"; do
  if kubectl -n "$n" wait --for=condition=Ready pod --all --timeout=600s >/dev/null; then ok "pods Ready in $n"; else fail "pods not Ready in $n"; fi
done

# 2. The SFU answers on the RTC host through the ingress (LiveKit's HTTP root says OK), with a trusted certificate.
if curl -fsS --max-time 10 "https://$rtc_host/" | grep -q OK; then ok "SFU https://$rtc_host/"; else fail "SFU https://$rtc_host/ (ingress, TLS or SFU)"; fi

# 3. The authorizer is routed: an empty token request is rejected by lk-jwt-service (400/401), not by the ingress (404/502).
code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST -H 'Content-Type: application/json' -d '{}' "https://$rtc_host/sfu/get")"
case "$code" in 400|401|403) ok "authorizer https://$rtc_host/sfu/get ($code for an empty request)";; *) fail "authorizer https://$rtc_host/sfu/get answered $code";; esac

# 4. TURN over TLS presents a certificate valid for the TURN name: coturn's on 5349 with host networking, LiveKit's own
#    on 443 of each load balancer; behind a NodePort there is none (a node port cannot be 443).
case "$mode" in hostNetwork) tls_port=5349;; loadBalancer) tls_port=443;; *) tls_port="";; esac
if [ -z "$tls_port" ]; then skip "TURN TLS (sfuMediaExposure $mode serves none)"
elif command -v openssl >/dev/null; then
  if echo | openssl s_client -connect "$turn_host:$tls_port" -servername "$turn_host" -verify_return_error -verify_hostname "$turn_host" >/dev/null 2>&1; then
    ok "TURN TLS $turn_host:$tls_port"; else fail "TURN TLS $turn_host:$tls_port (certificate or listener)"; fi
else skip "TURN TLS (no openssl)"; fi

# 5. A TURN allocation with REST credentials derived the way LiveKit and Synapse derive them (coturn's shared secret).
#    LiveKit's own TURN takes only the credentials it hands a participant: check it with a relay-only call (README).
if [ "$mode" != hostNetwork ]; then skip "TURN allocation (LiveKit's own TURN: make a relay-only call, README \"Media without host networking\")"
elif command -v turnutils_uclient >/dev/null; then
  secret="$(out turnSharedSecret --show-secrets)"
  user="$(( $(date +%s) + 600 )):smoke"
  pass="$(printf '%s' "$user" | openssl dgst -binary -sha1 -hmac "$secret" | openssl base64)"
  unset secret
  if timeout 30 turnutils_uclient -y -n 1 -c -u "$user" -w "$pass" "$turn_host" >/dev/null 2>&1; then ok "TURN allocation on $turn_host:3478"; else fail "TURN allocation on $turn_host:3478"; fi
else skip "TURN allocation (no turnutils_uclient: apt-get install coturn)"; fi

exit "$failed"
