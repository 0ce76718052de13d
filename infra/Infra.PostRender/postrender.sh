#!/bin/sh
# Helm post-renderer of the livekit-server release, for Pulumi's Release.Postrender (one executable path, no
# arguments) and `helm template --post-renderer`. stdin: rendered manifests; stdout: the same with the SFU's
# secrets wired in (see LivekitPostRenderer.cs). Nothing but the manifests goes to stdout.
#   MATRIX_RTC_POSTRENDER_DLL: run this built Infra.PostRender.dll with dotnet (tests).
#   Otherwise the project is published once as a Native AOT binary into bin/postrender/native next to this script
#   (about 20 s; again when a source file is newer than the binary), because Helm starts it on every template and
#   upgrade and a native binary starts in milliseconds. Where Native AOT cannot build (no C toolchain), it falls
#   back to an ordinary build in bin/postrender/jit, run with dotnet.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${MATRIX_RTC_POSTRENDER_DLL:-}" ]; then
  exec dotnet "$MATRIX_RTC_POSTRENDER_DLL"
fi
out="$here/bin/postrender"
native="$out/native/Infra.PostRender"
jit="$out/jit/Infra.PostRender.dll"

# Fresh: the file exists and no source of the post-renderer or of the plan library is newer.
fresh() {
  [ -f "$1" ] && [ -z "$(find "$here" "$here/../Infra.Plan" "$here/../../Directory.Build.props" "$here/../../Directory.Packages.props" \
    \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -newer "$1" -not -path '*/obj/*' -not -path '*/bin/*' 2>/dev/null | head -1)" ]
}

# The post-renderer does not inherit the build lock (fd 9).
run() {
  if fresh "$native"; then exec "$native" 9>&-; fi
  if fresh "$jit"; then exec dotnet "$jit" 9>&-; fi
}

run
mkdir -p "$out"
# One build at a time (Helm or Pulumi may start several post-renderers); the winner's binary serves the others.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$out/.build.lock"
  flock 9
  run
fi
echo "matrix-rtc post-renderer: building a Native AOT binary into $out/native (once per source change)" >&2
if dotnet publish "$here/Infra.PostRender.csproj" -c Release -o "$out/native" --nologo -v q >&2; then
  touch "$native"
  exec "$native" 9>&-
fi
echo "matrix-rtc post-renderer: Native AOT publish failed; building for dotnet instead" >&2
dotnet build "$here/Infra.PostRender.csproj" -c Release -o "$out/jit" --nologo -v q >&2
touch "$jit"
exec dotnet "$jit" 9>&-
