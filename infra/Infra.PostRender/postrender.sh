#!/bin/sh
# Helm post-renderer of the livekit-server release, for Pulumi's Release.Postrender (one executable path, no
# arguments) and `helm template --post-renderer`. stdin: rendered manifests; stdout: the same with the SFU's
# secrets wired in (see LivekitPostRenderer.cs). Nothing but the manifests goes to stdout.
#   MATRIX_RTC_POSTRENDER_DLL: use this built Infra.PostRender.dll (tests); otherwise the project is built
#   once into bin/postrender next to this script (and again when a source file is newer than the build).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dll=${MATRIX_RTC_POSTRENDER_DLL:-}
if [ -z "$dll" ]; then
  out="$here/bin/postrender"
  dll="$out/Infra.PostRender.dll"
  if [ ! -f "$dll" ] || [ -n "$(find "$here" "$here/../Infra.Plan" -name '*.cs' -newer "$dll" -not -path '*/obj/*' -not -path '*/bin/*' 2>/dev/null | head -1)" ]; then
    dotnet build "$here/Infra.PostRender.csproj" -c Release -o "$out" --nologo -v q >&2
  fi
fi
exec dotnet "$dll"
