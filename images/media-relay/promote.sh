#!/bin/sh
# Points every stack at a built and signed media-relay image, and the Dockerfile at the LiveKit release it carries,
# in one change (the release workflow runs it, then opens a pull request with the result):
#   - Pulumi.<stack>.yaml: matrix-rtc:mediaRelayImageRepository, mediaRelayImageTag, mediaRelayImageDigest (added
#     after the tag when missing) and mediaRelayLivekitVersion (= the tag's LiveKit version);
#   - images/media-relay/Dockerfile: ARG LIVEKIT_VERSION and ARG LIVEKIT_COMMIT.
# Other lines, comments included, stay as they are. Running it twice with the same arguments changes nothing.
#
# usage: promote.sh [--root DIR] REPOSITORY TAG DIGEST LIVEKIT_COMMIT
#   REPOSITORY      e.g. ghcr.io/example/media-relay (no tag, no digest)
#   TAG             v<LiveKit version>-mr.<n>, e.g. v1.13.5-mr.1
#   DIGEST          sha256:<64 hex>, the pushed image index
#   LIVEKIT_COMMIT  the 40-hex commit the LiveKit tag points at
set -eu

root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ "${1:-}" = "--root" ]; then
  root="$2"
  shift 2
fi
if [ $# -ne 4 ]; then
  sed -n '9,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
repository="$1"
tag="$2"
digest="$3"
commit="$4"

fail() {
  echo "promote.sh: $*" >&2
  exit 2
}

printf '%s\n' "$repository" | grep -Eqx '[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+' \
  || fail "repository '$repository' is not an image repository such as ghcr.io/example/media-relay (lower case, no tag)"
printf '%s\n' "$tag" | grep -Eqx 'v[0-9]+\.[0-9]+\.[0-9]+-mr\.[1-9][0-9]*' \
  || fail "tag '$tag' is not v<LiveKit version>-mr.<n>, e.g. v1.13.5-mr.1"
printf '%s\n' "$digest" | grep -Eqx 'sha256:[0-9a-f]{64}' \
  || fail "digest '$digest' is not sha256:<64 lower-case hex digits>"
printf '%s\n' "$commit" | grep -Eqx '[0-9a-f]{40}' \
  || fail "LiveKit commit '$commit' is not 40 lower-case hex digits"
version="${tag%-mr.*}"

dockerfile="$root/images/media-relay/Dockerfile"
[ -f "$dockerfile" ] || fail "$dockerfile not found"

# set_key FILE KEY VALUE AFTER: replaces the value of "  matrix-rtc:KEY: ..." keeping its indent; when the key is
# missing, adds it right after the AFTER key's line with the same indent.
set_key() {
  awk -v key="matrix-rtc:$2" -v value="$3" -v after="matrix-rtc:$4" '
    function keyof(line) { sub(/^[ \t]*/, "", line); sub(/:[ \t].*$|:$/, "", line); return line }
    { lines[NR] = $0; if (keyof($0) == key) found = NR; if (keyof($0) == after) anchor = NR }
    END {
      if (!found && !anchor) { print "no " key " and no " after " line" > "/dev/stderr"; exit 1 }
      for (i = 1; i <= NR; i++) {
        line = lines[i]
        indent = line; sub(/[^ \t].*$/, "", indent)
        if (i == found) { print indent key ": " value; continue }
        print line
        if (!found && i == anchor) print indent key ": " value
      }
    }' "$1" > "$1.promote" || { rm -f "$1.promote"; fail "$1: cannot set $2"; }
  cat "$1.promote" > "$1"
  rm -f "$1.promote"
}

# set_arg FILE NAME VALUE: replaces the default of the first "ARG NAME=..." line.
set_arg() {
  awk -v name="$2" -v value="$3" '
    !done && $0 ~ ("^ARG " name "=") { print "ARG " name "=" value; done = 1; next }
    { print }
    END { if (!done) { print "no ARG " name "= line" > "/dev/stderr"; exit 1 } }' "$1" > "$1.promote" \
    || { rm -f "$1.promote"; fail "$1: cannot set ARG $2"; }
  cat "$1.promote" > "$1"
  rm -f "$1.promote"
}

stacks=0
for stack in "$root"/Pulumi.*.yaml; do
  [ -f "$stack" ] || continue
  grep -Eq '^[ \t]*matrix-rtc:mediaRelayImageTag:' "$stack" || continue
  set_key "$stack" mediaRelayImageRepository "$repository" mediaRelayImageTag
  set_key "$stack" mediaRelayImageTag "$tag" mediaRelayImageRepository
  set_key "$stack" mediaRelayImageDigest "$digest" mediaRelayImageTag
  set_key "$stack" mediaRelayLivekitVersion "$version" mediaRelayImageDigest
  echo "$(basename "$stack"): $repository:$tag@$digest (LiveKit $version)"
  stacks=$((stacks + 1))
done
[ "$stacks" -gt 0 ] || fail "no Pulumi.<stack>.yaml under $root sets matrix-rtc:mediaRelayImageTag"

set_arg "$dockerfile" LIVEKIT_VERSION "$version"
set_arg "$dockerfile" LIVEKIT_COMMIT "$commit"
echo "images/media-relay/Dockerfile: LiveKit $version at $commit"
